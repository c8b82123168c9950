#!/usr/bin/env python3
"""Failover time and idle cost, tandemd next to keepalived, in the same namespace topology in the same run.

    sudo python3 bench/failover_bench.py build/tandemd [--runs 3] [--window 10] [--counts 1,100,1000]

Failover: two directors (priorities 150 and 100), the master killed with SIGKILL, time from its last advert to the
backup's first gratuitous ARP, from the observer's kernel timestamps; VRRPv2 at 1 s and VRRPv3 at 100 ms, next to
the RFC master-down interval. Idle cost: one director alone with N instances (advert_int 1, all MASTER, sending),
CPU% and RSS of all its processes read from /proc over a window. Reload: the same director with the largest N, a
netlink monitor on its links, SIGHUP with the file unchanged, then with the last instance's VIP replaced: the time
from the SIGHUP to the new VIP's arrival (the new configuration in force) and every other address event (flaps).
No thresholds: numbers and ratios only.
A daemon that cannot run (tandemd before its VRRP engine) shows as n/a with the reason.
"""
from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "integration"))

import netlab  # noqa: E402
import runner  # noqa: E402
from vrrp_conf import Instance, config  # noqa: E402

VIP = "192.0.2.100"
# 250 VRIDs per interface; one documentation range per interface, the fourth interface in IPv6 (VRRPv3).
VIP_RANGES = ["192.0.2.{}/32", "198.51.100.{}/32", "203.0.113.{}/32", "2001:db8:4::{:x}/128"]
PER_LINK = 250


def failover_once(kind: str, binary: str, version: int, adv: float) -> float:
    with netlab.Lab(["a", "b"]) as lab:
        lab.start_capture()
        inst = dict(version=version, advert_int=adv, garp_master_repeat=1)
        a = lab.start_daemon("a", kind, config("A", [Instance(priority=150, **inst)]), binary=binary)
        lab.start_daemon("b", kind, config("B", [Instance(priority=100, **inst)]), binary=binary)
        down_a = runner.master_down_interval(version, adv, 150)
        if not lab.wait_until(lambda: lab.has_vips("a", [VIP]), down_a + 3):
            raise RuntimeError("the priority-150 node did not become master")
        time.sleep(max(1.5, 5 * adv))
        t = a.kill9()
        na, nb = lab.nodes["a"], lab.nodes["b"]
        t_last, _, t_garp = lab.takeover(vrid=51, old_src=na.ipv4, new_src=nb.ipv4, new_mac=nb.mac, vip=VIP,
                                         since=t - 2 * adv - 0.1,
                                         timeout=runner.master_down_interval(version, adv, 100) + 3)
        return t_garp - t_last


def many_instances(n: int) -> str:
    instances = []
    for i in range(n):
        link, vrid = divmod(i, PER_LINK)
        vrid += 1
        v6 = link == 3
        instances.append(Instance(name=f"VI_{i}", vrid=vrid, priority=100, interface=f"e{link}",
                                  version=3 if v6 else 2, advert_int=1, vips=[VIP_RANGES[link].format(vrid)],
                                  garp_master_repeat=1, garp_master_delay=0))
    return config("bench", instances)


def proc_usage(pids: list[int]) -> tuple[int, int]:
    """CPU ticks (user + system) and RSS bytes summed over the processes."""
    ticks = rss = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss += int(line.split()[1]) * 1024
        except (FileNotFoundError, ProcessLookupError, IndexError):
            pass
    return ticks, rss


def start_masters(lab, kind: str, binary: str, n: int):
    """One director with N instances, all MASTER; returns the daemon once every VIP is bound."""
    for link in range((n + PER_LINK - 1) // PER_LINK):
        lab.add_spare_link("a", f"e{link}")
        # a primary address for the adverts' source, outside every VIP range's 1..250
        lab.exec("a", "ip", "addr", "add", f"203.0.113.{251 + link}/32", "dev", f"e{link}")
    d = lab.start_daemon("a", kind, many_instances(n), binary=binary)
    links = [f"e{i}" for i in range((n + PER_LINK - 1) // PER_LINK)]

    def vips_up() -> int:
        return sum(len([a for a in lab.addresses("a", link) if not a.startswith("fe80")]) - 1 for link in links)
    lab.wait_until(lambda: vips_up() >= n or not d.alive(), 60, interval=0.5)
    if not d.alive():
        raise RuntimeError(f"{kind} exited with {d.proc.returncode} while starting {n} instances")
    if vips_up() < n:
        raise RuntimeError(f"only {vips_up()} of {n} instances became MASTER within 60 s")
    time.sleep(2)  # transitions and their GARPs are over
    return d


class AddressEvents:
    """`ip monitor address` in the director's namespace, each line stamped on arrival."""

    def __init__(self, ns: str):
        self.lines: list[tuple[float, str]] = []
        self.proc = subprocess.Popen(["ip", "-n", ns, "-o", "monitor", "address"], stdout=subprocess.PIPE, text=True)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        time.sleep(0.3)

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append((time.monotonic(), line.strip()))

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(5)


def reload_cost(kind: str, binary: str, n: int) -> tuple[int, float | None, int]:
    """(address events after an unchanged SIGHUP, seconds from a changing SIGHUP to the new VIP, other address
    events of that reload)."""
    with netlab.Lab(["a"]) as lab:
        d = start_masters(lab, kind, binary, n)
        events = AddressEvents(d.node.ns)
        try:
            os.kill(d.proc.pid, signal.SIGHUP)
            time.sleep(5)
            unchanged = len(events.lines)
            text = many_instances(n)
            last = VIP_RANGES[(n - 1) // PER_LINK].format((n - 1) % PER_LINK + 1)
            old_ip = last.split("/")[0]
            new_ip = old_ip.replace("2001:db8:4::", "2001:db8:5::") if ":" in old_ip else "198.18.0.1"
            with open(d.conf, "w") as f:
                f.write(text.replace(last, last.replace(old_ip, new_ip)))
            start = time.monotonic()
            os.kill(d.proc.pid, signal.SIGHUP)

            def added() -> list[float]:
                return [t for t, line in events.lines[unchanged:]
                        if not line.startswith("Deleted") and f" {new_ip}/" in line]
            lab.wait_until(lambda: bool(added()), 30)
            time.sleep(3)
            others = [line for t, line in events.lines[unchanged:] if f" {old_ip}/" not in line and
                      f" {new_ip}/" not in line]
            return unchanged, (added()[0] - start) if added() else None, len(others)
        finally:
            events.close()


def idle_cost(kind: str, binary: str, n: int, window: float) -> tuple[float, float]:
    with netlab.Lab(["a"]) as lab:
        d = start_masters(lab, kind, binary, n)
        pids = [int(p) for p in netlab.run("ip", "netns", "pids", d.node.ns).stdout.split()]
        t0, (c0, _) = time.monotonic(), proc_usage(pids)
        time.sleep(window)
        t1, (c1, rss) = time.monotonic(), proc_usage(pids)
        return (c1 - c0) / os.sysconf("SC_CLK_TCK") / (t1 - t0) * 100, rss / 2**20


def fmt_runs(xs: list[float]) -> str:
    return f"{statistics.median(xs) * 1000:8.1f} [{min(xs) * 1000:.1f}..{max(xs) * 1000:.1f}]"


def ratio(a, b) -> str:
    return f"{a / b:6.2f}" if a is not None and b else "     -"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tandemd")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--window", type=float, default=10)
    ap.add_argument("--counts", default="1,100,1000")
    ap.add_argument("--parts", default="failover,idle,reload", help="which measurements, comma-separated")
    args = ap.parse_args()
    parts = set(args.parts.split(","))
    if os.geteuid() != 0:
        sys.exit("failover_bench: needs root (network namespaces)")
    netlab.install_cleanup_handlers()
    netlab.cleanup_stale()
    env = runner.Env(args.tandemd)
    daemons = []
    if env.tandemd_reason:
        print(f"tandemd: n/a ({env.tandemd_reason})")
    else:
        daemons.append(("tandemd", env.tandemd))
    if env.keepalived:
        daemons.append(("keepalived", env.keepalived))
    else:
        print("keepalived: n/a (not installed)")
    names = ["tandemd", "keepalived"]

    if "failover" in parts:
        failover_table(daemons, names, args.runs)
    if "idle" in parts:
        idle_table(daemons, args.counts, args.window)
    if "reload" in parts:
        reload_table(daemons, max(int(x) for x in args.counts.split(",")))
    return 0


def failover_table(daemons, names, runs: int) -> None:
    print(f"\nfailover: master's last advert -> backup's first GARP, kill -9, backup priority 100; "
          f"median [min..max] of {runs} runs, ms")
    print(f"{'':14}{'RFC bound':>11}  {'tandemd':>26}  {'keepalived':>26}  tandemd/keepalived")
    for label, version, adv in (("v2, 1 s", 2, 1.0), ("v3, 100 ms", 3, 0.1)):
        cells, med = {}, {}
        for kind, binary in daemons:
            try:
                xs = [failover_once(kind, binary, version, adv) for _ in range(runs)]
                cells[kind], med[kind] = fmt_runs(xs), statistics.median(xs)
            except (RuntimeError, netlab.TakeoverNotSeen) as e:
                cells[kind] = f"error: {e}"[:26]
        bound = runner.master_down_interval(version, adv, 100) * 1000
        print(f"{label:14}{bound:11.1f}  " + "  ".join(f"{cells.get(k, 'n/a'):>26}" for k in names)
              + f"  {ratio(med.get('tandemd'), med.get('keepalived'))}")


def idle_table(daemons, counts: str, window: float) -> None:
    print(f"\nidle cost: one director alone, N instances at advert_int 1 (all MASTER), {window:g} s window")
    print(f"{'instances':>9}  {'tandemd CPU%':>12} {'RSS MiB':>8}  {'keepalived CPU%':>15} {'RSS MiB':>8}  "
          f"{'CPU ratio':>9} {'RSS ratio':>9}")
    for n in (int(x) for x in counts.split(",")):
        got = {}
        for kind, binary in daemons:
            try:
                got[kind] = idle_cost(kind, binary, n, window)
            except RuntimeError as e:
                print(f"  {kind} with {n} instances: {e}")
        t, k = got.get("tandemd"), got.get("keepalived")
        cell = lambda v, w: (f"{v[0]:{w}.2f} {v[1]:8.1f}" if v else f"{'n/a':>{w}} {'':8}")  # noqa: E731
        print(f"{n:9d}  {cell(t, 12)}  {cell(k, 15)}  {ratio(t and t[0], k and k[0]):>9} "
              f"{ratio(t and t[1], k and k[1]):>9}")


def reload_table(daemons, n: int) -> None:
    print(f"\nreload: {n} instances, all MASTER; SIGHUP unchanged, then with one instance's VIP replaced")
    print(f"{'':12}{'unchanged: address events':>27}  {'changed: new VIP after':>23}  {'other address events':>21}")
    for kind, binary in daemons:
        try:
            unchanged, took, others = reload_cost(kind, binary, n)
            shown = f"{took * 1000:.1f} ms" if took is not None else "never"
            print(f"{kind:12}{unchanged:27d}  {shown:>23}  {others:21d}")
        except RuntimeError as e:
            print(f"{kind:12}error: {e}")


if __name__ == "__main__":
    sys.exit(main())
