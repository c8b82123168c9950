#!/usr/bin/env python3
"""lvs_sync_daemon against the real kernel: a director failover that keeps established connections.

Runs inside the test VM (tests/vm/run-in-vm.sh; IPVS tables are per network namespace, so one guest holds two
directors). On one Ethernet segment (netlab's hub): directors d1 and d2, a client with eight addresses, real servers
rs1 and rs2 (direct routing: the VIP on their loopback). d1 and d2 are also joined by their own veth, sync0, which
carries the kernel's sync messages. Each director has the same persistent IPVS service (VIP:80, rr, DR, both real
servers) and its own tandemd (-P) with `lvs_sync_daemon sync0 VI_1`; d1 has the higher priority.

  1. d1 becomes MASTER and runs the master sync daemon; d2 stays BACKUP with the backup daemon.
  2. The client opens one TCP connection from each address through the VIP and learns which real server answers.
  3. Those connections and their persistence templates appear in d2's connection table (/proc/net/ip_vs_conn).
  4. d1's tandemd is killed with SIGKILL and its links go down (a dead director).
  5. d2 becomes MASTER, switches to the master sync daemon, and still has every connection and template.
  6. Every established connection keeps working through d2 and reaches the same real server, and new connections
     from each client address, made in reverse order (so plain rr on a fresh table would move half of them), go to
     the server their template names.
  7. d1 comes back with -I (--dont-release-ipvs), preempts, and d2 follows as BACKUP (backup daemon again); SIGTERM
     to d2 stops its daemons, SIGTERM to d1 leaves its master daemon running.

With TANDEM_SYNC_CONTROL=1 the directors run without lvs_sync_daemon: steps 3, 5 and 6 must then fail, which shows
that they test something (run by hand; the ctest runs the real case).

Usage: sync_failover.py TANDEMD [TANDEMCTL]. Exit 0 on success, 1 on failure, 77 outside a kernel with IPVS.
"""
from __future__ import annotations

import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import netlab  # noqa: E402

VIP = "192.0.2.100"
PORT = 80
CLIENT_ADDRESSES = [f"192.0.2.{21 + i}" for i in range(8)]
SYNC_ID = 51
CONTROL = os.environ.get("TANDEM_SYNC_CONTROL") == "1"

failures: list[str] = []


def check(ok: bool, what: str) -> bool:
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)
    return ok


# ------------------------------------------------------------------ sockets inside namespaces
_libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000


def in_netns(ns: str, make):
    """Runs `make` with this thread inside namespace `ns`: a socket belongs to the namespace it was created in."""
    own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    target = os.open(f"/run/netns/{ns}", os.O_RDONLY)
    try:
        if _libc.setns(target, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns {ns}")
        try:
            return make()
        finally:
            _libc.setns(own, CLONE_NEWNET)
    finally:
        os.close(own)
        os.close(target)


class RealServer:
    """Answers each line with its own name, on every connection, until the lab goes."""

    def __init__(self, ns: str, name: str):
        self.name = name
        self.listener = in_netns(ns, lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM))
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("0.0.0.0", PORT))
        self.listener.listen(64)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket):
        with conn, conn.makefile("rb") as lines:
            for _ in lines:
                conn.sendall((self.name + "\n").encode())


class Client:
    """One TCP connection from a given source address to VIP:80."""

    def __init__(self, ns: str, source: str, timeout: float):
        self.source = source
        self.sock = in_netns(ns, lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM))
        self.sock.settimeout(timeout)
        self.sock.bind((source, 0))
        self.sock.connect((VIP, PORT))
        self.port = self.sock.getsockname()[1]
        self.lines = self.sock.makefile("rb")

    def ask(self) -> str:
        self.sock.sendall(b"which\n")
        return self.lines.readline().decode().strip()

    def close(self):
        self.lines.close()
        self.sock.close()


# ------------------------------------------------------------------ the lab
def conf(router: str, priority: int) -> str:
    sync = "" if CONTROL else f"  lvs_sync_daemon sync0 VI_1 id {SYNC_ID}\n"
    return (f"global_defs {{\n  router_id {router}\n{sync}}}\n"
            "vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 51\n"
            f"  priority {priority}\n  advert_int 1\n  virtual_ipaddress {{\n    {VIP}/24\n  }}\n}}\n")


def batch(ns: str, commands: list[str]) -> None:
    p = subprocess.run(["ip", "-n", ns, "-batch", "-"], input="\n".join(commands) + "\n", capture_output=True,
                       text=True, timeout=30)
    if p.returncode != 0:
        raise RuntimeError(f"ip -n {ns} -batch failed: {p.stderr.strip()}")


class SegmentLab(netlab.Lab):
    """netlab's hub segment (no observer, no IPv6) plus this test's links and addresses, one `ip -batch` per
    namespace: under emulation every process start costs about 60 ms, an `ip` about 200."""

    def _build(self) -> None:
        for node in self.nodes.values():
            node.ifname = "eth0"
        for ns in [self.hub, *(n.ns for n in self.nodes.values())]:
            netlab.run("ip", "netns", "add", ns)
            self.namespaces.append(ns)
        hub = ["link set lo up", "link add br0 type bridge stp_state 0 mcast_snooping 0", "link set br0 up"]
        for n in self.nodes.values():
            hub += [f"link add {n.port} type veth peer name {n.ifname} netns {n.ns}", f"link set {n.port} master br0",
                    f"link set {n.port} type bridge_slave learning off", f"link set {n.port} up"]
        batch(self.hub, hub)
        extra = {
            "d1": [f"link add sync0 type veth peer name sync0 netns {self.node('d2').ns}",
                   "addr add 10.99.0.1/24 dev sync0", "link set sync0 up"],
            "d2": ["addr add 10.99.0.2/24 dev sync0", "link set sync0 up"],
            "client": [f"addr add {a}/24 dev eth0" for a in CLIENT_ADDRESSES],
            "rs1": [f"addr add {VIP}/32 dev lo"],
            "rs2": [f"addr add {VIP}/32 dev lo"],
        }
        for name, n in self.nodes.items():
            batch(n.ns, ["link set lo up", f"link set eth0 address {n.mac}", f"addr add {n.ipv4}/24 dev eth0",
                         "link set eth0 up", *extra.get(name, [])])
        for rs in ("rs1", "rs2"):  # direct routing: the real servers never answer ARP for the VIP
            self.exec(rs, "sysctl", "-qw", "net.ipv4.conf.all.arp_ignore=1", "net.ipv4.conf.all.arp_announce=2",
                      "net.ipv4.conf.eth0.arp_ignore=1", "net.ipv4.conf.eth0.arp_announce=2")


def connections(lab: netlab.Lab, director: str) -> list[dict]:
    """/proc/net/ip_vs_conn of a director, addresses and ports decoded."""
    out = lab.exec(director, "cat", "/proc/net/ip_vs_conn").stdout.splitlines()[1:]
    entries = []
    for line in out:
        f = line.split()
        if len(f) < 8:
            continue
        ip = lambda h: ".".join(str(int(h[i:i + 2], 16)) for i in range(0, 8, 2))  # noqa: E731
        entries.append({"client": ip(f[1]), "cport": int(f[2], 16), "vip": ip(f[3]), "vport": int(f[4], 16),
                        "dest": ip(f[5]), "state": f[7]})
    return entries


def synced(entries: list[dict], clients: list[Client], real: dict[str, str]) -> tuple[int, int]:
    """How many of the clients' connections, and of their persistence templates, `entries` holds (right server)."""
    conns = templates = 0
    for c in clients:
        dest = real[c.source]
        conns += any(e["client"] == c.source and e["cport"] == c.port and e["dest"] == dest for e in entries)
        templates += any(e["client"] == c.source and e["cport"] == 0 and e["dest"] == dest for e in entries)
    return conns, templates


METRICS_PORT = 9650


def metrics(ns: str) -> str:
    """tandemd's Prometheus endpoint (--metrics, loopback of the director's namespace), sample lines only."""
    try:
        with in_netns(ns, lambda: socket.create_connection(("127.0.0.1", METRICS_PORT), timeout=5)) as s:
            s.sendall(b"GET /metrics HTTP/1.0\r\nHost: localhost\r\n\r\n")
            data = b""
            while chunk := s.recv(65536):
                data += chunk
    except OSError as e:
        return f"error: {e}"
    return "\n".join(line for line in data.decode(errors="replace").splitlines() if line.startswith("tandem_lvs"))


def daemons(lab: netlab.Lab, director: str) -> str:
    text = lab.exec(director, "ipvsadm", "-L", "--daemon").stdout
    return " | ".join(line.strip() for line in text.splitlines() if line.strip())


def main() -> int:
    if len(sys.argv) < 2:
        sys.exit("usage: sync_failover.py TANDEMD [TANDEMCTL]")
    tandemd = os.path.abspath(sys.argv[1])
    tandemctl = os.path.abspath(sys.argv[2]) if len(sys.argv) > 2 else os.path.join(os.path.dirname(tandemd),
                                                                                       "tandemctl")
    if not os.path.exists("/proc/net/ip_vs"):
        print("SKIPPED: no IPVS in this kernel (run it through tests/vm/run-in-vm.sh)")
        return 77
    netlab.install_cleanup_handlers()
    started = time.time()
    with SegmentLab(["d1", "d2", "client", "rs1", "rs2"]) as lab:
        ns = {name: lab.node(name).ns for name in lab.nodes}
        address = {name: lab.node(name).ipv4 for name in lab.nodes}
        rules = f"-A -t {VIP}:{PORT} -s rr -p 300\n" + "".join(
            f"-a -t {VIP}:{PORT} -r {address[rs]}:{PORT} -g\n" for rs in ("rs1", "rs2"))
        for d in ("d1", "d2"):
            subprocess.run(["ip", "netns", "exec", ns[d], "ipvsadm", "-R"], input=rules, text=True, check=True)
        servers = {address[rs]: RealServer(ns[rs], rs) for rs in ("rs1", "rs2")}
        name_of = {a: s.name for a, s in servers.items()}
        address_of = {s.name: a for a, s in servers.items()}

        sockets = {d: os.path.join(lab.tmp, f"{d}.sock") for d in ("d1", "d2")}
        d1 = lab.start_daemon("d1", "tandemd", conf("d1", 150), tandemd, ["-P", "--control-socket", sockets["d1"]])
        d2 = lab.start_daemon("d2", "tandemd", conf("d2", 100), tandemd,
                              ["-P", "--control-socket", sockets["d2"], "--metrics", str(METRICS_PORT)])
        print(f"lab ready and tandemd started after {time.time() - started:.1f} s", flush=True)

        # 1. Roles and their sync daemons.
        check(lab.wait_until(lambda: lab.has_vips("d1", [VIP]), 20), "d1 became MASTER (holds the VIP)")
        if not CONTROL:
            check(lab.wait_until(lambda: "master sync daemon (mcast=sync0, syncid=51" in daemons(lab, "d1"), 10),
                  f"d1 runs the master sync daemon: {daemons(lab, 'd1')}")
            check(lab.wait_until(lambda: "backup sync daemon (mcast=sync0, syncid=51" in daemons(lab, "d2"), 10) and
                  "master" not in daemons(lab, "d2"), f"d2 runs the backup sync daemon only: {daemons(lab, 'd2')}")
            status = json.loads(lab.exec("d2", tandemctl, "-s", sockets["d2"], "status", "--json").stdout)
            sync = status["vrrp"]["lvs_sync_daemon"]
            check(sync["role"] == "backup" and sync["converged"] and [k["state"] for k in sync["kernel"]] == ["backup"],
                  f"tandemctl status on d2 shows the backup daemon: {json.dumps(sync)}")
            scraped = metrics(ns["d2"])
            check('tandem_lvs_sync_daemon_kernel_running{state="backup"} 1' in scraped and
                  'tandem_lvs_sync_daemon_role{instance="VI_1",role="backup"} 1' in scraped,
                  f"d2's metrics show the backup daemon: {scraped!r}")

        # 2. Connections through d1.
        clients = [Client(ns["client"], a, 10) for a in CLIENT_ADDRESSES]
        real = {c.source: address_of.get(c.ask(), "?") for c in clients}
        check(set(real.values()) == set(servers), f"the connections reach both real servers: "
              f"{ {c: name_of.get(r, r) for c, r in real.items()} }")
        before_d1 = synced(connections(lab, "d1"), clients, real)
        check(before_d1 == (8, 8), f"d1 schedules the 8 connections with 8 templates: {before_d1}")

        # 3. They reach d2 while it is BACKUP.
        t0 = time.time()
        lab.wait_until(lambda: synced(connections(lab, "d2"), clients, real) == (8, 8), 15, interval=0.2)
        before = synced(connections(lab, "d2"), clients, real)
        check(before == (8, 8), f"d2 (BACKUP) has the 8 connections and 8 templates: {before}, "
              f"after {time.time() - t0:.1f} s")

        # 4. d1 dies.
        killed = d1.kill9()
        for link in ("eth0", "sync0"):
            lab.set_link("d1", link, False)

        # 5. d2 takes over.
        check(lab.wait_until(lambda: lab.has_vips("d2", [VIP]), 20), "d2 became MASTER after d1 was killed")
        print(f"takeover {time.time() - killed:.1f} s after SIGKILL", flush=True)
        if not CONTROL:
            check(lab.wait_until(lambda: daemons(lab, "d2").startswith("master sync daemon (mcast=sync0, syncid=51")
                                 and "backup" not in daemons(lab, "d2"), 10),
                  f"d2 switched to the master sync daemon: {daemons(lab, 'd2')}")
            scraped = metrics(ns["d2"])
            check('tandem_lvs_sync_daemon_kernel_running{state="master"} 1' in scraped and
                  'tandem_lvs_sync_daemon_kernel_running{state="backup"} 0' in scraped and
                  'tandem_lvs_sync_daemon_converged{instance="VI_1"} 1' in scraped,
                  f"d2's metrics show the master daemon: {scraped!r}")
        after = synced(connections(lab, "d2"), clients, real)
        check(after == (8, 8), f"d2 (MASTER) still has the 8 connections and 8 templates: {after}")

        # 6. Established connections continue; new ones stick to their server.
        t0 = time.time()
        answers = {}
        for c in clients:
            try:
                answers[c.source] = address_of.get(c.ask(), "?")
            except OSError as e:
                answers[c.source] = f"error: {e}"
        kept = sum(answers[a] == real[a] for a in answers)
        check(kept == 8, f"the 8 established connections answer through d2 from the same real server: {kept} "
              f"({time.time() - t0:.1f} s)")
        fresh = {}
        for a in reversed(CLIENT_ADDRESSES):
            try:
                c = Client(ns["client"], a, 10)
                fresh[a] = address_of.get(c.ask(), "?")
                c.close()
            except OSError as e:
                fresh[a] = f"error: {e}"
        same = sum(fresh[a] == real[a] for a in fresh)
        check(same == 8, f"new connections from the 8 clients keep their real server (persistence): {same}")
        for c in clients:
            c.close()

        if not CONTROL:
            # 7. d1 returns with -I and preempts; d2 follows as BACKUP; exits with and without -I.
            for link in ("eth0", "sync0"):
                lab.set_link("d1", link, True)
            d1 = lab.start_daemon("d1", "tandemd", conf("d1", 150), tandemd,
                                  ["-P", "-I", "--control-socket", sockets["d1"]])
            check(lab.wait_until(lambda: lab.has_vips("d1", [VIP]) and lab.has_none("d2", [VIP]), 20),
                  "d1 (restarted with -I) preempted d2")
            check(lab.wait_until(lambda: daemons(lab, "d2").startswith("backup sync daemon (mcast=sync0")
                                 and "master" not in daemons(lab, "d2"), 10),
                  f"d2 went back to the backup sync daemon: {daemons(lab, 'd2')}")
            check(lab.wait_until(lambda: daemons(lab, "d1").startswith("master sync daemon (mcast=sync0"), 10),
                  f"d1 runs the master sync daemon again: {daemons(lab, 'd1')}")
            d2.terminate()
            check(daemons(lab, "d2") == "", f"SIGTERM to d2 stopped its sync daemon: '{daemons(lab, 'd2')}'")
            d1.terminate()
            check(daemons(lab, "d1").startswith("master sync daemon"),
                  f"SIGTERM to d1 (-I) left its sync daemon running: '{daemons(lab, 'd1')}'")
        if failures:
            for d, daemon in (("d1", d1), ("d2", d2)):
                print(f"----- {d} log\n{daemon.log_text()}", flush=True)
    print(f"{'FAILED' if failures else 'passed'} in {time.time() - started:.1f} s", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
