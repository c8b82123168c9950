"""A throw-away Ethernet segment in network namespaces, for testing VRRP daemons against each other.

    with Lab(["a", "b"]) as lab:          # directors tdm-<pid>-<n>-a, -b plus an observer on a hub
        lab.start_capture()
        d = lab.start_daemon("a", "keepalived", conf_text)
        lab.wait_until(lambda: "192.0.2.100" in lab.addresses("a"), 5)
        adverts = lab.adverts()

Each director has eth0 = 02:00:00:00:00:1X, 192.0.2.1X/24, 2001:db8::1X/64 (X = 1, 2, ...) and the EUI-64 link-local (no DAD).
The observer (192.0.2.250) sees every frame: the bridge is a hub (learning off on every port). It captures with
tcpdump (kernel timestamps) and forges frames from an AF_PACKET socket. Everything a Lab creates (namespaces,
processes, temp files) is removed on exit, on an exception, on SIGINT/SIGTERM, and at interpreter exit.

Run as a program: `netlab.py serve IFACE` (inside the observer namespace: sends the frames of each hex line) and `netlab.py cleanup-stale`
(deletes tdm-<pid>-* namespaces whose creating process is gone).
"""
from __future__ import annotations

import atexit
import ipaddress
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vrrp_wire  # noqa: E402

PREFIX = "tdm-"
OBSERVER = "obs"
_live_labs: list["Lab"] = []
_counter = [0]


def run(*cmd: str, check: bool = True, timeout: float = 20) -> subprocess.CompletedProcess:
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()}")
    return p


def link_local(mac: str) -> str:
    b = vrrp_wire.mac_bytes(mac)
    eui = bytes([b[0] ^ 2]) + b[1:3] + b"\xff\xfe" + b[3:]
    return str(ipaddress.ip_address(b"\xfe\x80" + b"\0" * 6 + eui))


class TakeoverNotSeen(Exception):
    pass


class Node:
    def __init__(self, lab: "Lab", name: str, index: int):
        self.name = name
        self.ns = f"{lab.prefix}-{name}"
        self.ifname = "eth0"
        self.mac = f"02:00:00:00:00:{index:02d}" if index < 100 else "02:00:00:00:00:fa"
        self.ipv4 = f"192.0.2.{index}"
        self.ipv6 = f"2001:db8::{index}"
        self.ll = link_local(self.mac)
        self.port = f"p{name}"[:15]  # its bridge port in the hub namespace


class Daemon:
    """A daemon started in a node's namespace, in its own process group, logging to a file."""

    def __init__(self, lab: "Lab", node: Node, kind: str, binary: str, conf_text: str, extra: list[str]):
        self.node, self.kind, self.lab = node, kind, lab
        base = os.path.join(lab.tmp, f"{node.name}-{kind}-{len(lab.daemons)}")
        self.conf, self.log = base + ".conf", base + ".log"
        with open(self.conf, "w") as f:
            f.write(conf_text)
        pids = [base + ".pid", base + ".vrrp.pid", base + ".chk.pid"]
        self.cmd = ["ip", "netns", "exec", node.ns, binary, "-n", "-l", "-D", "-f", self.conf,
                    "-p", pids[0], "-r", pids[1], "-c", pids[2], *extra]
        if kind == "keepalived" and "-P" not in extra:
            self.cmd.insert(self.cmd.index("-f"), "-P")  # VRRP only: no checker child
        self._logf = open(self.log, "w")
        self.proc = subprocess.Popen(self.cmd, stdout=self._logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        self.started = time.time()

    def alive(self) -> bool:
        return self.proc.poll() is None

    def signal(self, sig: int) -> float:
        """Signals the whole process group (keepalived's children too); returns the wall time it was sent."""
        t = time.time()
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass
        return t

    def kill9(self) -> float:
        t = self.signal(signal.SIGKILL)
        self.wait(5)
        return t

    def terminate(self, timeout: float = 10) -> float:
        """SIGTERM to the daemon itself (keepalived's parent stops its children in order)."""
        t = time.time()
        try:
            os.kill(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        if not self.wait(timeout):
            self.kill9()
        return t

    def wait(self, timeout: float) -> bool:
        try:
            self.proc.wait(timeout)
            return True
        except subprocess.TimeoutExpired:
            return False

    def log_text(self) -> str:
        if not self._logf.closed:
            self._logf.flush()
        return _read(self.log)

    def close(self) -> None:
        if self.alive():
            self.signal(signal.SIGKILL)
            self.wait(5)
        self._logf.close()


class Lab:
    def __init__(self, directors: list[str], keep_dir: str | None = None):
        _counter[0] += 1
        self.prefix = f"{PREFIX}{os.getpid()}-{_counter[0]}"
        self.hub = f"{self.prefix}-hub"
        self.nodes = {name: Node(self, name, 11 + i) for i, name in enumerate(directors)}
        self.observer = Node(self, OBSERVER, 250)
        self.daemons: list[Daemon] = []
        self.helpers: list[subprocess.Popen] = []
        self.namespaces: list[str] = []
        self.tmp = tempfile.mkdtemp(prefix=self.prefix + "-")
        self.keep_dir = keep_dir
        self.pcap = os.path.join(self.tmp, "segment.pcap")
        self._tcpdump: subprocess.Popen | None = None
        self._sender: subprocess.Popen | None = None

    # ------------------------------------------------------------ lifecycle
    def __enter__(self) -> "Lab":
        _live_labs.append(self)
        try:
            self._build()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _add_ns(self, ns: str) -> None:
        run("ip", "netns", "add", ns)
        self.namespaces.append(ns)
        run("ip", "-n", ns, "link", "set", "lo", "up")

    def _build(self) -> None:
        self._add_ns(self.hub)
        run("ip", "-n", self.hub, "link", "add", "br0", "type", "bridge", "stp_state", "0", "mcast_snooping", "0")
        run("ip", "-n", self.hub, "link", "set", "br0", "up")
        for node in [*self.nodes.values(), self.observer]:
            self._add_ns(node.ns)
            sysctl = ["ip", "netns", "exec", node.ns, "sysctl", "-qw"]
            run(*sysctl, "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0")
            run("ip", "-n", self.hub, "link", "add", node.port, "type", "veth", "peer", "name", node.ifname,
                "netns", node.ns)
            run("ip", "-n", self.hub, "link", "set", node.port, "master", "br0")
            run("ip", "-n", self.hub, "link", "set", node.port, "type", "bridge_slave", "learning", "off")
            run("ip", "-n", self.hub, "link", "set", node.port, "up")
            run(*sysctl, f"net.ipv6.conf.{node.ifname}.accept_dad=0", f"net.ipv6.conf.{node.ifname}.dad_transmits=0")
            run("ip", "-n", node.ns, "link", "set", node.ifname, "address", node.mac)
            run("ip", "-n", node.ns, "addr", "add", node.ipv4 + "/24", "dev", node.ifname)
            run("ip", "-n", node.ns, "addr", "add", node.ipv6 + "/64", "dev", node.ifname, "nodad")
            run("ip", "-n", node.ns, "link", "set", node.ifname, "up")
        for node in [*self.nodes.values(), self.observer]:
            self.wait_until(lambda n=node: n.ll in self.addresses(n.name), 3, what=f"link-local on {node.ns}")

    def kill_helpers(self, since: int = 0) -> None:
        """Kills the helpers started since `since` helpers were running (all of them by default) and forgets them."""
        for h in self.helpers[since:]:
            if h.poll() is None:
                try:
                    os.killpg(h.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                h.wait(5)
        del self.helpers[since:]

    def close(self) -> None:
        for d in self.daemons:
            d.close()
        self.kill_helpers()
        self._tcpdump = self._sender = None
        for ns in reversed(self.namespaces):
            _kill_ns_processes(ns)
            run("ip", "netns", "del", ns, check=False)
        self.namespaces.clear()
        if self.keep_dir:
            shutil.copytree(self.tmp, os.path.join(self.keep_dir, os.path.basename(self.tmp)), dirs_exist_ok=True)
        shutil.rmtree(self.tmp, ignore_errors=True)
        if self in _live_labs:
            _live_labs.remove(self)

    # ------------------------------------------------------------ nodes
    def node(self, name: str) -> Node:
        return self.observer if name == OBSERVER else self.nodes[name]

    def exec(self, name: str, *cmd: str, check: bool = True) -> subprocess.CompletedProcess:
        return run("ip", "netns", "exec", self.node(name).ns, *cmd, check=check)

    def addresses(self, name: str, ifname: str = "eth0") -> set[str]:
        node = self.node(name)
        p = run("ip", "-n", node.ns, "-j", "addr", "show", "dev", ifname, check=False)
        if p.returncode != 0 or not p.stdout.strip():
            return set()
        return {a["local"] for link in json.loads(p.stdout) for a in link.get("addr_info", [])}

    def has_vips(self, name: str, vips: list[str]) -> bool:
        have = self.addresses(name)
        return all(v in have for v in vips)

    def has_none(self, name: str, vips: list[str]) -> bool:
        have = self.addresses(name)
        return not any(v in have for v in vips)

    def add_spare_link(self, name: str, ifname: str) -> None:
        """A second interface in a director, for track_interface (a veth pair: the dummy module may be missing)."""
        peer = (ifname + "-p")[:15]
        self.exec(name, "ip", "link", "add", ifname, "type", "veth", "peer", "name", peer)
        self.exec(name, "ip", "link", "set", peer, "up")
        self.exec(name, "ip", "link", "set", ifname, "up")

    def del_addresses(self, name: str, cidrs: list[str], ifname: str = "eth0") -> None:
        """Removes addresses a SIGKILLed daemon left behind, as a reboot would."""
        for c in cidrs:
            self.exec(name, "ip", "addr", "del", c, "dev", ifname, check=False)

    def set_link(self, name: str, ifname: str, up: bool) -> None:
        self.exec(name, "ip", "link", "set", ifname, "up" if up else "down")

    def set_port(self, name: str, up: bool) -> None:
        """Cuts or restores a director's cable (its port on the hub)."""
        run("ip", "-n", self.hub, "link", "set", self.node(name).port, "up" if up else "down")

    # ------------------------------------------------------------ daemons
    def start_daemon(self, name: str, kind: str, conf_text: str, binary: str | None = None,
                     extra: list[str] | None = None) -> Daemon:
        binary = binary or shutil.which(kind) or kind
        d = Daemon(self, self.node(name), kind, binary, conf_text, extra or [])
        self.daemons.append(d)
        return d

    # ------------------------------------------------------------ observer
    def start_capture(self) -> None:
        cmd = ["ip", "netns", "exec", self.observer.ns, "tcpdump", "-i", self.observer.ifname, "-n", "-U", "-s", "512",
               "--immediate-mode", "-w", self.pcap]
        errlog = open(os.path.join(self.tmp, "tcpdump.err"), "w+")
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errlog, start_new_session=True)
        self.helpers.append(p)
        self._tcpdump = p
        ok = self.wait_until(lambda: p.poll() is not None or "listening on" in _read(errlog.name), 5)
        if not ok or p.poll() is not None:
            raise RuntimeError(f"tcpdump did not start: {_read(errlog.name)}")

    def packets(self) -> list:
        if not os.path.exists(self.pcap):
            return []
        return vrrp_wire.parse_pcap(self.pcap)

    def adverts(self, vrid: int | None = None, src: str | None = None, since: float = 0.0) -> list:
        return [p for p in self.packets() if isinstance(p, vrrp_wire.Advert) and p.ts >= since
                and (vrid is None or p.vrid == vrid) and (src is None or p.src == src)]

    def garps(self, ip: str | None = None, since: float = 0.0) -> list:
        return [p for p in self.packets() if isinstance(p, vrrp_wire.Arp) and p.gratuitous and p.ts >= since
                and (ip is None or p.spa == ip)]

    def neighbor_adverts(self, target: str | None = None, since: float = 0.0) -> list:
        return [p for p in self.packets() if isinstance(p, vrrp_wire.NeighborAdvert) and p.ts >= since
                and (target is None or p.target == target)]

    def takeover(self, *, vrid: int, old_src: str, new_src: str, new_mac: str, vip: str, since: float,
                 timeout: float, announce: str = "garp") -> tuple[float, float, float]:
        """Kernel timestamps of a takeover read from the capture: the old master's last advert (priority > 0), the
        new master's first advert, and its first GARP (or unsolicited NA) for `vip`. Raises TakeoverNotSeen."""
        def new_adverts():
            return [a for a in self.adverts(vrid=vrid, src=new_src, since=since) if a.priority > 0]
        if not self.wait_until(lambda: bool(new_adverts()), timeout):
            raise TakeoverNotSeen("no advert from the new master")
        t_new = new_adverts()[0].ts
        old = [a.ts for a in self.adverts(vrid=vrid, src=old_src, since=since) if a.priority > 0 and a.ts < t_new]
        if not old:
            raise TakeoverNotSeen("no advert from the old master before the takeover in the capture")

        def announcements():
            if announce == "na":
                return [p.ts for p in self.neighbor_adverts(vip, since=old[-1]) if p.eth_src == new_mac]
            return [p.ts for p in self.garps(vip, since=old[-1]) if p.sha == new_mac and p.eth_src == new_mac]
        if not self.wait_until(lambda: bool(announcements()), 2):
            raise TakeoverNotSeen(f"no {announce.upper()} for {vip} from {new_mac} after the takeover")
        return old[-1], t_new, announcements()[0]

    def send(self, frames: list[bytes], interval: float = 0.0) -> None:
        """Puts forged frames on the segment from the observer, through a sender kept running there (a process
        start would delay the frames by a good part of an advert interval); returns once they are sent."""
        if self._sender is None or self._sender.poll() is not None:
            cmd = ["ip", "netns", "exec", self.observer.ns, sys.executable, os.path.abspath(__file__), "serve",
                   self.observer.ifname]
            self._sender = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                            start_new_session=True)
            self.helpers.append(self._sender)
        self._sender.stdin.write(" ".join([f"{interval}", *(f.hex() for f in frames)]) + "\n")
        self._sender.stdin.flush()
        reply = self._sender.stdout.readline().strip()
        if reply != "sent":
            raise RuntimeError(f"frame sender failed: {reply!r}")

    # ------------------------------------------------------------ waiting
    @staticmethod
    def wait_until(pred, timeout: float, interval: float = 0.02, what: str = "") -> bool:
        deadline = time.time() + timeout
        while True:
            if pred():
                return True
            if time.time() >= deadline:
                return False
            time.sleep(interval)


def _read(path: str) -> str:
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def _kill_ns_processes(ns: str) -> None:
    """Safety net: anything still running inside a namespace this lab created was started by this lab."""
    p = run("ip", "netns", "pids", ns, check=False)
    for pid in p.stdout.split():
        try:
            os.kill(int(pid), signal.SIGKILL)
        except (ProcessLookupError, ValueError):
            pass


def _cleanup_all() -> None:
    for lab in list(_live_labs):
        lab.close()


def _on_signal(signum, _frame):
    # Clean up here and leave at once: an exception raised from a signal handler can land where Python ignores it
    # (a finalizer), and the run would carry on without its namespaces.
    signal.signal(signum, signal.SIG_IGN)
    print(f"netlab: signal {signum}, removing namespaces and processes", file=sys.stderr, flush=True)
    _cleanup_all()
    os._exit(128 + signum)


def install_cleanup_handlers() -> None:
    atexit.register(_cleanup_all)
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)


def cleanup_stale() -> int:
    """Deletes tdm-<pid>-* namespaces left behind by a runner that was killed with SIGKILL."""
    out = run("ip", "netns", "list", check=False).stdout.split("\n")
    removed = 0
    for line in out:
        name = line.split(" ")[0]
        if not name.startswith(PREFIX):
            continue
        pid = name[len(PREFIX):].split("-")[0]
        if pid.isdigit() and os.path.exists(f"/proc/{pid}"):
            continue
        _kill_ns_processes(name)
        run("ip", "netns", "del", name, check=False)
        removed += 1
    return removed


def our_namespaces() -> list[str]:
    out = run("ip", "netns", "list", check=False).stdout.split("\n")
    mine = f"{PREFIX}{os.getpid()}-"
    return [line.split(" ")[0] for line in out if line.startswith(mine)]


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "serve":
        for request in sys.stdin:
            interval, *frames = request.split()
            vrrp_wire.send_frames(sys.argv[2], [bytes.fromhex(h) for h in frames], float(interval))
            print("sent", flush=True)
    elif len(sys.argv) == 2 and sys.argv[1] == "cleanup-stale":
        n = cleanup_stale()
        if n:
            print(f"netlab: removed {n} stale namespace(s)")
    else:
        sys.exit("usage: netlab.py serve IFACE | netlab.py cleanup-stale")
