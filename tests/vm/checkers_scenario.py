"""Health checkers against a real IPVS table, inside the test VM (tests/vm/checkers.sh starts it there).

A director namespace and a real-server namespace joined by a veth pair; the real servers are TCP and HTTP listeners
of one "farm" process (this file, run with `farm`) in theirs, opened and closed on command. The daemon under test
runs checkers only (`-C -n`) in the director's namespace with several virtual servers; the table is read back with
`ipvsadm -Ln` and compared, as a whole, to what the configuration and the servers' health must give:
services, schedulers, persistence, weights and forwarding methods; a closed server removed (weight 0 with
inhibit_on_failure) within delay_loop + retry x delay_before_retry (+ slack for the emulated CPU), restored within
delay_loop; the sorry server in when every real server is down and out again; quorum with hysteresis; `-I` leaves the
table on exit and a restart adopts it without deleting and re-adding anything (service counters, fed by real
connections through the NAT services, would restart from 0; a sampler also watches the table during the restart);
a plain exit removes the daemon's rules and only those.

    checkers_scenario.py TANDEMD            (the daemon under test; TANDEM_VM_DUT=keepalived runs Debian's instead)

Exit status: 0 when every check passed, 1 otherwise, 77 (SKIPPED) when the daemon's checker runtime is a
placeholder or the machine lacks what is needed."""
import ctypes
import os
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

DIRECTOR = "tvc-dir"
SERVERS = "tvc-rs"
PYTHON = sys.executable

DELAY_LOOP = 1.0
RETRY = 1
DELAY_BEFORE_RETRY = 1.0
# keepalived's (and Tandem's) bound from a closed port to "down", and from an open one to "up". The slack covers
# the emulated CPU (every process start ~60 ms, the ipvsadm polls themselves) and is reported, never hidden.
DOWN_BOUND = DELAY_LOOP + RETRY * DELAY_BEFORE_RETRY
UP_BOUND = DELAY_LOOP
SLACK = float(os.environ.get("TANDEM_VM_SLACK", "3"))

FOREIGN = "TCP 192.168.100.99:80"  # a service the daemon does not own: it must survive everything


def check_block(indent="    "):
    return (f"{indent}TCP_CHECK {{\n{indent}  connect_timeout 1\n{indent}  retry {RETRY}\n"
            f"{indent}  delay_before_retry {int(DELAY_BEFORE_RETRY)}\n{indent}}}\n")


def http_block(indent="    "):
    return (f"{indent}HTTP_GET {{\n{indent}  url {{\n{indent}    path /health\n{indent}    status_code 200\n"
            f"{indent}  }}\n{indent}  connect_timeout 1\n{indent}  retry {RETRY}\n"
            f"{indent}  delay_before_retry {int(DELAY_BEFORE_RETRY)}\n{indent}}}\n")


def real_server(address, port, weight, extra="", checker=check_block):
    return f"  real_server {address} {port} {{\n    weight {weight}\n{extra}{checker()}  }}\n"


CONFIG = (
    "global_defs {\n  router_id vmchk\n}\n"
    # rr, NAT, weights 1/2/3; the third keeps weight 0 while down.
    "virtual_server 192.168.100.1 80 {\n"
    f"  delay_loop {int(DELAY_LOOP)}\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n"
    + real_server("10.0.0.11", 8080, 1)
    + real_server("10.0.0.12", 8080, 2)
    + real_server("10.0.0.13", 8080, 3, "    inhibit_on_failure\n")
    + "}\n"
    # wlc, DR, persistence with a /24 granularity, a sorry server.
    "virtual_server 192.168.100.2 443 {\n"
    f"  delay_loop {int(DELAY_LOOP)}\n  lb_algo wlc\n  lb_kind DR\n  protocol TCP\n"
    "  persistence_timeout 300\n  persistence_granularity 255.255.255.0\n"
    "  sorry_server 10.0.0.19 443\n"
    + real_server("10.0.0.14", 8443, 5)
    + real_server("10.0.0.15", 8443, 5)
    + "}\n"
    # fwmark, sh, TUN, quorum 5 with hysteresis 1 (gained at >= 6, lost below 4), a sorry server.
    "virtual_server fwmark 7 {\n"
    f"  delay_loop {int(DELAY_LOOP)}\n  lb_algo sh\n  lb_kind TUN\n"
    "  quorum 5\n  hysteresis 1\n  sorry_server 10.0.0.29 80\n"
    + real_server("10.0.0.16", 80, 2)
    + real_server("10.0.0.17", 80, 2)
    + real_server("10.0.0.18", 80, 2)
    + "}\n"
    # IPv6, wrr, NAT; one real server checked over HTTP.
    "virtual_server fd00:100::1 80 {\n"
    f"  delay_loop {int(DELAY_LOOP)}\n  lb_algo wrr\n  lb_kind NAT\n  protocol TCP\n"
    + real_server("fd00::11", 8080, 4)
    + real_server("fd00::12", 8081, 1, checker=http_block)
    + "}\n"
)

# Every listener of the farm: (address, port, kind).
LISTENERS = [("10.0.0.11", 8080, "tcp"), ("10.0.0.12", 8080, "tcp"), ("10.0.0.13", 8080, "tcp"),
             ("10.0.0.14", 8443, "tcp"), ("10.0.0.15", 8443, "tcp"),
             ("10.0.0.16", 80, "tcp"), ("10.0.0.17", 80, "tcp"), ("10.0.0.18", 80, "tcp"),
             ("fd00::11", 8080, "tcp"), ("fd00::12", 8081, "http")]


# ---------------------------------------------------------------------------------------------------------------
# The farm: one process, one listening socket per real server, commands on stdin ("open|close ADDRESS PORT KIND").
# Accepted TCP connections stay open until the peer closes them (so connections through IPVS stay "active");
# HTTP connections get one HTTP/1.0 answer.

def farm():
    listeners = {}
    conns = set()
    lock = threading.Lock()

    def serve(listener, kind):
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            if kind == "http":
                threading.Thread(target=answer_http, args=(conn,), daemon=True).start()
            else:
                with lock:
                    conns.add(conn)

    def answer_http(conn):
        try:
            conn.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
            body = b"ok\n"
            conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                         b"Connection: close\r\n\r\n" % len(body) + body)
        except OSError:
            pass
        finally:
            conn.close()

    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        verb, address, port, kind = words[0], words[1], int(words[2]), words[3]
        key = (address, port)
        if verb == "open" and key not in listeners:
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            listener = socket.socket(family, socket.SOCK_STREAM)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((address, port))
            listener.listen(256)
            listeners[key] = listener
            threading.Thread(target=serve, args=(listener, kind), daemon=True).start()
        elif verb == "close" and key in listeners:
            listener = listeners.pop(key)
            listener.shutdown(socket.SHUT_RDWR)  # wakes the accept()
            listener.close()
        print("ok", flush=True)


# ---------------------------------------------------------------------------------------------------------------

failures = []
started = time.monotonic()


def log(text):
    print(f"[{time.monotonic() - started:7.2f}] {text}", flush=True)


def check(ok, what):
    log(("PASS " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)
    return ok


def sh(*cmd, check_status=True, timeout=30):
    result = subprocess.run(list(cmd), capture_output=True, text=True, timeout=timeout)
    if check_status and result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit {result.returncode}: {result.stderr.strip()}")
    return result


def in_director(*cmd, **kw):
    return sh(*cmd, **kw)  # this process lives in the director's namespace once the network is built


def enter_namespace(name):
    """Moves this process (single-threaded at this point) into a named network namespace: every socket it opens
    and every process it starts from then on is the director's, without an `ip netns exec` per poll."""
    libc = ctypes.CDLL(None, use_errno=True)
    with open(f"/run/netns/{name}") as target:
        if libc.setns(target.fileno(), 0x40000000) != 0:  # CLONE_NEWNET
            raise OSError(ctypes.get_errno(), f"setns({name})")


def build_network():
    sh("ip", "netns", "add", DIRECTOR)
    sh("ip", "netns", "add", SERVERS)
    script = f"""
set -e
ip link add d0 netns {DIRECTOR} type veth peer name r0 netns {SERVERS}
ip -n {DIRECTOR} link set lo up
ip -n {DIRECTOR} link set d0 up
ip -n {DIRECTOR} addr add 10.0.0.1/24 dev d0
ip -n {DIRECTOR} addr add fd00::1/64 dev d0 nodad
ip -n {DIRECTOR} link add vip0 type dummy
ip -n {DIRECTOR} link set vip0 up
ip -n {DIRECTOR} addr add 192.168.100.1/32 dev vip0
ip -n {DIRECTOR} addr add 192.168.100.2/32 dev vip0
ip -n {DIRECTOR} addr add fd00:100::1/128 dev vip0 nodad
ip -n {SERVERS} link set lo up
ip -n {SERVERS} link set r0 up
"""
    for address, _, _ in LISTENERS:
        script += (f"ip -n {SERVERS} addr add {address}/64 dev r0 nodad\n" if ":" in address
                   else f"ip -n {SERVERS} addr add {address}/24 dev r0\n")
    script += f"ip -n {SERVERS} route add 192.168.100.0/24 via 10.0.0.1\n"
    script += f"ip -n {SERVERS} -6 route add fd00:100::/64 via fd00::1\n"
    sh("sh", "-c", script)


def teardown():
    for ns in (DIRECTOR, SERVERS):
        pids = sh("ip", "netns", "pids", ns, check_status=False).stdout.split()
        for pid in pids:
            if pid == str(os.getpid()):  # this process lives in the director's namespace
                continue
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        sh("ip", "netns", "del", ns, check_status=False)


class Farm:
    def __init__(self):
        self.proc = subprocess.Popen(["ip", "netns", "exec", SERVERS, PYTHON, __file__, "farm"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def command(self, verb, address, port, kind):
        self.proc.stdin.write(f"{verb} {address} {port} {kind}\n")
        self.proc.stdin.flush()
        ready, _, _ = select.select([self.proc.stdout], [], [], 20)
        if not ready or self.proc.stdout.readline().strip() != "ok":
            raise RuntimeError(f"the farm did not {verb} {address}:{port}")

    def set(self, address, port, up):
        kind = next(k for a, p, k in LISTENERS if (a, p) == (address, port))
        self.command("open" if up else "close", address, port, kind)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(5)


# ---------------------------------------------------------------------------------------------------------------
# The table as ipvsadm shows it: {"TCP 192.168.100.1:80": {"sched": "rr", "flags": "", "dests": {address: (method,
# weight)}}}. Comparisons are on whole tables, so an extra or a missing entry anywhere fails.

SERVICE_LINE = re.compile(r"^(TCP|UDP|SCTP|FWM)\s+(\S+)\s+(?:(IPv6)\s+)?(\S+)\s*(.*?)\s*$")
DEST_LINE = re.compile(r"^\s+->\s+(\S+)\s+(\w+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$")


def read_table():
    table = {}
    current = None
    for line in in_director("ipvsadm", "-Ln").stdout.splitlines():
        service = SERVICE_LINE.match(line)
        dest = DEST_LINE.match(line)
        if dest and current is not None:
            current["dests"][dest.group(1)] = (dest.group(2), int(dest.group(3)))
        elif service and not line.startswith("Prot"):
            key = f"{service.group(1)} {service.group(2)}" + (" IPv6" if service.group(3) else "")
            current = table[key] = {"sched": service.group(4), "flags": service.group(5), "dests": {}}
    return table


def read_counters():
    """Connections counted since each service and destination entry was made: {service: (conns, {dest: conns})}."""
    counters = {}
    current = None
    for line in in_director("ipvsadm", "-Ln", "--stats", "--exact").stdout.splitlines():
        words = line.split()
        if len(words) >= 7 and words[0] in ("TCP", "UDP", "SCTP", "FWM"):
            current = counters[f"{words[0]} {words[1]}"] = [int(words[2]), {}]
        elif len(words) >= 7 and words[0] == "->" and current is not None:
            current[1][words[1]] = int(words[2])
    return counters


def counted_connections(service, at_least, timeout=6):
    """The counters once the kernel shows at least `at_least` connections for `service`: IPVS folds its per-CPU
    counters into what it reports every 2 s (its rate estimator), so fresh connections show up late."""
    deadline = time.monotonic() + timeout
    while True:
        counters = read_counters()
        if counters.get(service, [0])[0] >= at_least or time.monotonic() > deadline:
            return counters
        time.sleep(0.2)


def svc(sched, flags, dests):
    return {"sched": sched, "flags": flags, "dests": dict(dests)}


class Health:
    """Which real servers are up; expected() is what the table must then be (keepalived's rules for exactly this
    configuration, spelled out per virtual server rather than re-derived)."""

    def __init__(self):
        self.up = {(a, p): True for a, p, _ in LISTENERS}
        self.quorum7 = True  # fwmark 7: quorum 5, hysteresis 1
        self.drained = set()  # (address, port) of virtual server 192.168.100.1:80 drained with tandemctl

    def alive(self, address, port):
        return self.up[(address, port)]

    def expected(self):
        table = {FOREIGN: svc("rr", "", {})}
        vs1 = {}
        for address, weight, inhibit in (("10.0.0.11", 1, False), ("10.0.0.12", 2, False), ("10.0.0.13", 3, True)):
            if self.alive(address, 8080):
                vs1[f"{address}:8080"] = ("Masq", 0 if (address, 8080) in self.drained else weight)
            elif inhibit:
                vs1[f"{address}:8080"] = ("Masq", 0)
        table["TCP 192.168.100.1:80"] = svc("rr", "", vs1)

        vs2 = {f"{a}:443": ("Route", 5) for a in ("10.0.0.14", "10.0.0.15") if self.alive(a, 8443)}
        if not vs2:
            vs2 = {"10.0.0.19:443": ("Route", 1)}
        table["TCP 192.168.100.2:443"] = svc("wlc", "persistent 300 mask 255.255.255.0", vs2)

        live = sum(2 for a in ("10.0.0.16", "10.0.0.17", "10.0.0.18") if self.alive(a, 80))
        if self.quorum7 and (live < 5 - 1 or live == 0):
            self.quorum7 = False
        elif not self.quorum7 and live >= 5 + 1:
            self.quorum7 = True
        if self.quorum7:
            vs3 = {f"{a}:0": ("Tunnel", 2) for a in ("10.0.0.16", "10.0.0.17", "10.0.0.18") if self.alive(a, 80)}
        else:
            vs3 = {"10.0.0.29:0": ("Tunnel", 1)}
        table["FWM 7"] = svc("sh", "", vs3)

        vs4 = {}
        if self.alive("fd00::11", 8080):
            vs4["[fd00::11]:8080"] = ("Masq", 4)
        if self.alive("fd00::12", 8081):
            vs4["[fd00::12]:8081"] = ("Masq", 1)
        table["TCP [fd00:100::1]:80"] = svc("wrr", "", vs4)
        return table


def describe_difference(want, got):
    lines = []
    for key in sorted(set(want) | set(got)):
        if key not in got:
            lines.append(f"missing service {key}")
        elif key not in want:
            lines.append(f"unexpected service {key}: {got[key]}")
        elif want[key] != got[key]:
            lines.append(f"{key}: want {want[key]}, got {got[key]}")
    return "; ".join(lines)


def wait_table(want, timeout):
    """Seconds until the table equals `want`, or None after `timeout` (then the difference is logged)."""
    start = time.monotonic()
    got = None
    while True:
        got = read_table()
        if got == want:
            return time.monotonic() - start
        if time.monotonic() - start > timeout:
            log("  table now: " + describe_difference(want, got))
            return None
        time.sleep(0.05)


# ---------------------------------------------------------------------------------------------------------------

class Daemon:
    def __init__(self, kind, binary, conf, workdir, extra):
        self.kind = kind
        self.log_path = os.path.join(workdir, f"{kind}.log")
        self.log_file = open(self.log_path, "a")
        self.log_file.write(f"==== start {' '.join(extra)}\n")
        self.log_file.flush()
        if kind == "keepalived":
            cmd = [binary, "-C", "-n", "-l", "-D", "-f", conf, "-p", os.path.join(workdir, "k.pid"),
                   "-c", os.path.join(workdir, "kc.pid")]
        else:
            cmd = [binary, "-C", "-n", "-l", "-D", "-f", conf, "-p", os.path.join(workdir, "t.pid"),
                   "-c", os.path.join(workdir, "tc.pid"), "--control-socket", os.path.join(workdir, "t.sock")]
        self.proc = subprocess.Popen([*cmd, *extra],
                                     stdout=self.log_file, stderr=subprocess.STDOUT)
        self.socket = os.path.join(workdir, "t.sock")
        self.checker_pid_file = os.path.join(workdir, "tc.pid")
        self.tandemctl = os.path.join(os.path.dirname(binary), "tandemctl")

    def ctl(self, *args):
        return sh(self.tandemctl, "--socket", self.socket, *args, check_status=False)

    def checker_pid(self):
        try:
            with open(self.checker_pid_file) as f:
                return int(f.read().strip() or 0)
        except (OSError, ValueError):
            return 0

    def stop(self, timeout=15):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return False
        return True

    def text(self):
        with open(self.log_path) as f:
            return f.read()


def connect_through(vip, port, count):
    """Opens `count` connections to a NAT virtual service from the director (IPVS schedules local clients too)."""
    family = socket.AF_INET6 if ":" in vip else socket.AF_INET
    opened = []
    for _ in range(count):
        s = socket.socket(family, socket.SOCK_STREAM)
        s.settimeout(5)
        try:
            s.connect((vip, port))
            opened.append(s)
        except OSError as e:
            log(f"  connection to {vip}:{port} failed: {e}")
            s.close()
    return opened


def scenario(dut_kind, binary, workdir):
    conf = os.path.join(workdir, "checkers.conf")
    with open(conf, "w") as f:
        f.write(CONFIG)
    health = Health()
    farm = Farm()
    for address, port, _ in LISTENERS:
        farm.set(address, port, True)
    in_director("ipvsadm", "-A", "-t", "192.168.100.99:80", "-s", "rr")

    daemon = Daemon(dut_kind, binary, conf, workdir, [])
    try:
        # Startup: servers start up (no alpha), so the whole table appears at once, first check or not.
        took = wait_table(health.expected(), 20)
        if took is None and dut_kind == "tandemd" and "PLACEHOLDER: health checking is not running yet" in daemon.text():
            log("SKIPPED: checker runtime not on main yet (the checker child is a placeholder)")
            return 77
        check(took is not None, f"startup: services, schedulers, persistence, methods and weights as configured "
                                f"({took if took is None else round(took, 2)} s)")

        def transition(what, changes, bound):
            for (address, port), up in changes:
                farm.set(address, port, up)
                health.up[(address, port)] = up
            want = health.expected()
            took = wait_table(want, bound + SLACK)
            shown = "not within" if took is None else f"{took:.2f} s, bound"
            check(took is not None, f"{what}: {shown} {bound:.1f} s + {SLACK:.1f} s slack")
            return took

        down_times, up_times = [], []
        down_times.append(transition("10.0.0.11 closed -> removed", [(("10.0.0.11", 8080), False)], DOWN_BOUND))
        up_times.append(transition("10.0.0.11 open -> back", [(("10.0.0.11", 8080), True)], UP_BOUND))
        down_times.append(transition("10.0.0.13 (inhibit_on_failure) closed -> weight 0",
                                     [(("10.0.0.13", 8080), False)], DOWN_BOUND))
        up_times.append(transition("10.0.0.13 open -> weight 3", [(("10.0.0.13", 8080), True)], UP_BOUND))
        down_times.append(transition("both real servers of 192.168.100.2:443 closed -> sorry server in",
                                     [(("10.0.0.14", 8443), False), (("10.0.0.15", 8443), False)], DOWN_BOUND))
        up_times.append(transition("10.0.0.15 open -> sorry server out, 10.0.0.15 in",
                                   [(("10.0.0.15", 8443), True)], UP_BOUND))
        transition("10.0.0.14 open", [(("10.0.0.14", 8443), True)], UP_BOUND)
        transition("fwmark 7: one of three closed -> live weight 4, quorum kept (lost below 5-1)",
                   [(("10.0.0.16", 80), False)], DOWN_BOUND)
        transition("fwmark 7: second closed -> quorum lost, sorry server in, the live one out",
                   [(("10.0.0.17", 80), False)], DOWN_BOUND)
        transition("fwmark 7: one back -> weight 4 < 5+1, still lost", [(("10.0.0.16", 80), True)], UP_BOUND)
        transition("fwmark 7: all back -> quorum regained, sorry server out",
                   [(("10.0.0.17", 80), True)], UP_BOUND)
        down_times.append(transition("[fd00::11]:8080 (IPv6, TCP_CHECK) closed -> removed",
                                     [(("fd00::11", 8080), False)], DOWN_BOUND))
        up_times.append(transition("[fd00::11]:8080 open -> back", [(("fd00::11", 8080), True)], UP_BOUND))
        down_times.append(transition("[fd00::12]:8081 (IPv6, HTTP_GET) closed -> removed",
                                     [(("fd00::12", 8081), False)], DOWN_BOUND))
        up_times.append(transition("[fd00::12]:8081 open -> back", [(("fd00::12", 8081), True)], UP_BOUND))
        measured = [t for t in down_times if t is not None]
        if measured:
            log(f"DETECTION closed->removed: {len(measured)} samples, min {min(measured):.2f} s, "
                f"max {max(measured):.2f} s, bound {DOWN_BOUND:.1f} s (polled with ipvsadm, ~0.1-0.2 s per poll)")

        if dut_kind == "tandemd":
            operator_steps(daemon, health, conf)
        else:
            log("drain, reload and respawn steps: tandemd only (keepalived has no drain; its reload is not compared)")

        # -I: a daemon started with -I programs the table; one real server goes down; real connections go through
        # its NAT services and stay open (counters and active connections that a delete + re-add of a service would
        # reset); it stops and the table stays; a restart adopts it as it is, the down server still out.
        ok = daemon.stop()
        check(ok and read_table() == {FOREIGN: svc("rr", "", {})},
              "exit: the daemon's services removed, the foreign one kept")
        daemon = Daemon(dut_kind, binary, conf, workdir, ["-I"])
        took = wait_table(health.expected(), 20)
        check(took is not None, "-I run: the table programmed again")
        # One real server down when the -I run stops: the restart must not put it back even for a moment.
        transition("-I run: 10.0.0.11 closed -> removed", [(("10.0.0.11", 8080), False)], DOWN_BOUND)
        held = connect_through("192.168.100.1", 80, 6) + connect_through("fd00:100::1", 80, 4)
        counted_connections("TCP 192.168.100.1:80", 6)
        before = counted_connections("TCP [fd00:100::1]:80", 4)
        check(before["TCP 192.168.100.1:80"][0] >= 6 and before["TCP [fd00:100::1]:80"][0] >= 4,
              f"connections through the NAT services are counted ({before['TCP 192.168.100.1:80'][0]}, "
              f"{before['TCP [fd00:100::1]:80'][0]})")
        table_before = read_table()
        time.sleep(2 * DELAY_LOOP)
        ok = daemon.stop()
        check(ok and read_table() == table_before, "-I: the table is left as it was on exit")
        sampler = Sampler()
        daemon = Daemon(dut_kind, binary, conf, workdir, [])
        # Long enough for the start-up plan and several rounds of checks.
        time.sleep(1 + 4 * DELAY_LOOP + 2)
        samples = sampler.stop()
        after = read_counters()
        differing = [s for s in samples if s != table_before]
        check(not differing, f"restart: the table never differed from before in {len(samples)} samples"
              + (f" (first difference: {describe_difference(table_before, differing[0])})" if differing else ""))
        kept = all(after.get(key, [0])[0] >= before[key][0] for key in ("TCP 192.168.100.1:80",
                                                                          "TCP [fd00:100::1]:80"))
        kept_dests = all(after.get(key, [0, {}])[1].get(dest, 0) >= count
                         for key in ("TCP 192.168.100.1:80", "TCP [fd00:100::1]:80")
                         for dest, count in before[key][1].items())
        check(kept and kept_dests, "restart: no service or destination was deleted and re-added "
                                   f"(connection counters before {summarize(before)}, after {summarize(after)})")
        for s in held:
            s.close()

        # A plain exit removes what the daemon owns and nothing else.
        ok = daemon.stop()
        daemon = None
        check(ok and read_table() == {FOREIGN: svc("rr", "", {})},
              "exit: the daemon's services removed, the foreign one kept")
    finally:
        if daemon is not None:
            daemon.stop()
        farm.close()
    return 0


class Sampler:
    """Reads the table as fast as ipvsadm allows while something happens, to catch a rule deleted and re-added."""

    def __init__(self):
        self.samples = []
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.run)
        self.thread.start()

    def run(self):
        while not self.stop_event.is_set():
            self.samples.append(read_table())

    def stop(self):
        self.stop_event.set()
        self.thread.join()
        return self.samples


def lost_entries(before, after, keep):
    """Services (and their destinations) of `keep` present before that are missing from `after`."""
    missing = []
    for key in keep:
        if key not in after:
            missing.append(key)
            continue
        missing += [f"{key} -> {d}" for d in before[key]["dests"] if d not in after[key]["dests"]]
    return missing


def operator_steps(daemon, health, conf):
    """tandemd only: tandemctl drain/undrain against the real table, a SIGHUP reload that edits one weight and
    drops one virtual server (only that changes, nothing else flaps), and a SIGKILLed checker child whose successor
    adopts the table without a flap."""
    drained = ("10.0.0.12", 8080)
    result = daemon.ctl("drain", "192.168.100.1:80", "10.0.0.12:8080")
    health.drained.add(drained)
    took = wait_table(health.expected(), 2)
    check(result.returncode == 0 and took is not None,
          f"tandemctl drain: 10.0.0.12:8080 at weight 0 in the kernel ({result.stdout.strip() or result.stderr.strip()})")
    # Shown for the operations guide's sample, not checked here (tests/unit covers the table's layout).
    log("tandemctl status while 10.0.0.12:8080 is drained:\n" +
        "\n".join("    | " + line for line in daemon.ctl("status").stdout.splitlines()))
    result = daemon.ctl("undrain", "10.0.0.12")
    health.drained.discard(drained)
    took = wait_table(health.expected(), 2)
    check(result.returncode == 0 and took is not None, "tandemctl undrain: weight 2 again")
    bad = daemon.ctl("drain", "10.0.0.77:80")
    check(bad.returncode != 0 and "no real server" in bad.stderr, f"drain of an unknown server refused: {bad.stderr.strip()}")

    # Reload: 10.0.0.11 weight 1 -> 4, the IPv6 virtual server dropped.
    before = read_table()
    with open(conf) as f:
        original = f.read()
    changed = original.replace("  real_server 10.0.0.11 8080 {\n    weight 1\n", "  real_server 10.0.0.11 8080 {\n    weight 4\n")
    changed = changed[:changed.index("virtual_server fd00:100::1 80 {")]
    assert changed != original
    with open(conf, "w") as f:
        f.write(changed)
    want = health.expected()
    want["TCP 192.168.100.1:80"]["dests"]["10.0.0.11:8080"] = ("Masq", 4)
    del want["TCP [fd00:100::1]:80"]
    sampler = Sampler()
    daemon.proc.send_signal(signal.SIGHUP)
    took = wait_table(want, 3)
    time.sleep(1)
    samples = sampler.stop()
    kept = ["TCP 192.168.100.1:80", "TCP 192.168.100.2:443", "FWM 7"]
    lost = sorted({m for sample in samples for m in lost_entries(before, sample, kept)})
    check(took is not None and not lost,
          f"SIGHUP with an edited weight and a dropped virtual server: applied "
          f"{'late' if took is None else f'in {took:.2f} s'}, nothing else missing in {len(samples)} samples" + (f" (missing: {lost})" if lost else ""))
    with open(conf, "w") as f:
        f.write(original)
    daemon.proc.send_signal(signal.SIGHUP)
    check(wait_table(health.expected(), 3) is not None, "SIGHUP back to the original configuration")

    # The checker child killed: the supervisor starts another, which adopts the table as it is.
    old_pid = daemon.checker_pid()
    before = read_table()
    sampler = Sampler()
    os.kill(old_pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while daemon.checker_pid() in (0, old_pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(3 * DELAY_LOOP)
    samples = sampler.stop()
    differing = [x for x in samples if x != before]
    check(daemon.checker_pid() not in (0, old_pid) and not differing,
          f"checker child SIGKILLed: respawned (pid {old_pid} -> {daemon.checker_pid()}), the table never differed "
          f"in {len(samples)} samples" + (f" (first difference: {describe_difference(before, differing[0])})"
                                          if differing else ""))


def summarize(counters):
    return ", ".join(f"{key}={value[0]}" for key, value in sorted(counters.items()) if value[0])


def self_check():
    """The flap detector must be able to fail: a service deleted and re-added by hand loses its counters."""
    in_director("ipvsadm", "-A", "-t", "192.168.100.1:80", "-s", "rr")
    in_director("ipvsadm", "-a", "-t", "192.168.100.1:80", "-r", "10.0.0.11:8080", "-m")
    held = connect_through("192.168.100.1", 80, 2)
    before = counted_connections("TCP 192.168.100.1:80", 2)["TCP 192.168.100.1:80"]
    in_director("ipvsadm", "-d", "-t", "192.168.100.1:80", "-r", "10.0.0.11:8080")
    in_director("ipvsadm", "-a", "-t", "192.168.100.1:80", "-r", "10.0.0.11:8080", "-m")
    time.sleep(2.5)  # one estimator period: a reset would show by now
    dest_readded = read_counters()["TCP 192.168.100.1:80"]
    in_director("ipvsadm", "-D", "-t", "192.168.100.1:80")
    in_director("ipvsadm", "-A", "-t", "192.168.100.1:80", "-s", "rr")
    time.sleep(2.5)
    service_readded = read_counters()["TCP 192.168.100.1:80"]
    for s in held:
        s.close()
    in_director("ipvsadm", "-D", "-t", "192.168.100.1:80")
    log(f"self-check counters: before {before}, destination re-added {dest_readded}, service re-added "
        f"{service_readded}")
    check(before[0] >= 2 and service_readded[0] == 0,
          "self-check: a service deleted and re-added restarts its connection counter from 0")
    dest_detects = dest_readded[1].get("10.0.0.11:8080", 0) < before[1].get("10.0.0.11:8080", 0)
    log("self-check: a destination deleted and re-added " + ("restarts" if dest_detects else "keeps (kernel trash)")
        + " its counter")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "farm":
        farm()
        return 0
    if len(sys.argv) < 2:
        print("usage: checkers_scenario.py TANDEMD", file=sys.stderr)
        return 2
    dut_kind = os.environ.get("TANDEM_VM_DUT", "tandemd")
    binary = "/usr/sbin/keepalived" if dut_kind == "keepalived" else os.path.realpath(sys.argv[1])
    if not os.path.exists("/proc/net/ip_vs"):
        print("SKIPPED: no IPVS in this kernel (run this inside tests/vm/run-in-vm.sh)")
        return 77
    workdir = tempfile.mkdtemp(prefix="tvc-")
    teardown()
    try:
        build_network()
        enter_namespace(DIRECTOR)
        farm_check = Farm()
        farm_check.set("10.0.0.11", 8080, True)
        self_check()
        farm_check.close()
        status = scenario(dut_kind, binary, workdir)
    finally:
        teardown()
        share = os.environ.get("TANDEM_VM_SHARE")
        if share and os.path.isdir(share):
            subprocess.run(["cp", "-r", workdir, share], check=False)
    if status == 77:
        return 77
    log(f"{len(failures)} failed" + (": " + "; ".join(failures) if failures else ""))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
