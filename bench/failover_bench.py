#!/usr/bin/env python3
"""Failover time and idle cost, tandemd next to keepalived, in the same namespace topology in the same run.

    sudo python3 bench/failover_bench.py build/tandemd [--runs 3] [--window 10] [--counts 1,100,1000]

Failover: two directors (priorities 150 and 100), the master killed with SIGKILL, time from its last advert to the
backup's first gratuitous ARP, from the observer's kernel timestamps; VRRPv2 at 1 s and VRRPv3 at 100 ms, next to
the RFC master-down interval. Idle cost: one director alone with N instances (advert_int 1, all MASTER, sending),
CPU% and RSS of all its processes read from /proc over a window. No thresholds: numbers and ratios only.
A daemon that cannot run (tandemd before its VRRP engine) shows as n/a with the reason.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
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


def idle_cost(kind: str, binary: str, n: int, window: float) -> tuple[float, float]:
    with netlab.Lab(["a"]) as lab:
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
    args = ap.parse_args()
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

    print(f"\nfailover: master's last advert -> backup's first GARP, kill -9, backup priority 100; "
          f"median [min..max] of {args.runs} runs, ms")
    print(f"{'':14}{'RFC bound':>11}  {'tandemd':>26}  {'keepalived':>26}  tandemd/keepalived")
    for label, version, adv in (("v2, 1 s", 2, 1.0), ("v3, 100 ms", 3, 0.1)):
        cells, med = {}, {}
        for kind, binary in daemons:
            try:
                xs = [failover_once(kind, binary, version, adv) for _ in range(args.runs)]
                cells[kind], med[kind] = fmt_runs(xs), statistics.median(xs)
            except (RuntimeError, netlab.TakeoverNotSeen) as e:
                cells[kind] = f"error: {e}"[:26]
        bound = runner.master_down_interval(version, adv, 100) * 1000
        print(f"{label:14}{bound:11.1f}  " + "  ".join(f"{cells.get(k, 'n/a'):>26}" for k in names)
              + f"  {ratio(med.get('tandemd'), med.get('keepalived'))}")

    print(f"\nidle cost: one director alone, N instances at advert_int 1 (all MASTER), {args.window:g} s window")
    print(f"{'instances':>9}  {'tandemd CPU%':>12} {'RSS MiB':>8}  {'keepalived CPU%':>15} {'RSS MiB':>8}  "
          f"{'CPU ratio':>9} {'RSS ratio':>9}")
    for n in (int(x) for x in args.counts.split(",")):
        got = {}
        for kind, binary in daemons:
            try:
                got[kind] = idle_cost(kind, binary, n, args.window)
            except RuntimeError as e:
                print(f"  {kind} with {n} instances: {e}")
        t, k = got.get("tandemd"), got.get("keepalived")
        cell = lambda v, w: (f"{v[0]:{w}.2f} {v[1]:8.1f}" if v else f"{'n/a':>{w}} {'':8}")  # noqa: E731
        print(f"{n:9d}  {cell(t, 12)}  {cell(k, 15)}  {ratio(t and t[0], k and k[0]):>9} "
              f"{ratio(t and t[1], k and k[1]):>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
