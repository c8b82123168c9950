#!/usr/bin/env python3
"""Health-checker benchmarks: tandemd's checker process beside Debian's keepalived, measured in the same run, in a
network namespace of their own (loopback only). Prints figures and ratios; no thresholds.

    bench/checker_bench.py cost    [TANDEMD]   10,000 real servers, TCP_CHECK, delay_loop 6 (~1,667 checks/s):
                                               CPU and RSS of the checker process
    bench/checker_bench.py http    [TANDEMD]   HTTP_GET without keep-alive against a local server: checks per
                                               CPU-second of the checker process (= checks/s on one core)
    bench/checker_bench.py latency [TANDEMD]   port closed -> "removed" logged, against the last successful check
                                               + delay_loop + retry x delay_before_retry

The host kernel has no IPVS. keepalived's checker process exits when it cannot initialise IPVS, so both daemons run
with bench/ipvs_absent_shim.c preloaded: IPVS requests are acknowledged without a kernel (healthy servers need none
after start-up, so the steady state measured is the checkers alone). Each benchmark takes under two minutes; the
machine's other load shows in the absolute figures, less in the ratios. TANDEM_BENCH_ONLY=tandemd|keepalived runs one.
"""
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
NS = f"tbench-{os.getpid()}"
TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


# ---------------------------------------------------------------------------------------------------------------
# The server side, run inside the namespace: `checker_bench.py serve MODE PORT...`. Commands on stdin:
# "count" -> prints the connections accepted so far; "close PORT" -> closes that port's listener. In `timed` mode
# every accept is printed as "accept PORT MONOTONIC".

HTTP_REPLY = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n"


def serve(mode, ports):
    selector = selectors.DefaultSelector()
    listeners = {}
    for port in ports:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("0.0.0.0", port))  # every 127.x.y.z of the namespace's loopback
        listener.listen(4096)
        listener.setblocking(False)
        listeners[port] = listener
        selector.register(listener, selectors.EVENT_READ, ("listen", port))
    selector.register(sys.stdin, selectors.EVENT_READ, ("command", 0))
    accepted = 0
    print("ready", flush=True)
    while True:
        for key, _ in selector.select():
            kind, value = key.data  # value: the port of a listener, or the request bytes read so far
            if kind == "command":
                line = sys.stdin.readline()
                if not line:
                    return
                words = line.split() or [""]
                if words[0] == "count":
                    print(accepted, flush=True)
                elif words[0] == "close":
                    listener = listeners.pop(int(words[1]))
                    selector.unregister(listener)
                    listener.close()
                    print("closed", flush=True)
            elif kind == "listen":
                while True:
                    try:
                        conn, _ = key.fileobj.accept()
                    except BlockingIOError:
                        break
                    accepted += 1
                    if mode == "timed":
                        print(f"accept {value} {time.monotonic():.6f}", flush=True)
                    if mode == "http":
                        conn.setblocking(False)
                        selector.register(conn, selectors.EVENT_READ, ("http", b""))
                    else:
                        conn.close()
            elif kind == "http":
                conn = key.fileobj
                try:
                    data = value + conn.recv(4096)
                except BlockingIOError:
                    continue
                except OSError:
                    data = None
                if data and b"\r\n\r\n" not in data:
                    selector.modify(conn, selectors.EVENT_READ, ("http", data))
                    continue
                selector.unregister(conn)
                try:
                    if data:
                        conn.send(HTTP_REPLY)
                except OSError:
                    pass
                conn.close()


class Server:
    def __init__(self, mode, ports):
        self.proc = subprocess.Popen(["ip", "netns", "exec", NS, sys.executable, __file__, "serve", mode,
                                      *map(str, ports)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.accepts = []  # (port, monotonic) in timed mode
        self.replies = []
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        self._expect("ready")

    def _read(self):
        for line in self.proc.stdout:
            with self.cond:
                if line.startswith("accept "):
                    _, port, at = line.split()
                    self.accepts.append((int(port), float(at)))
                else:
                    self.replies.append(line.strip())
                    self.cond.notify_all()

    def _expect(self, _what=None, timeout=20):
        with self.cond:
            if not self.cond.wait_for(lambda: self.replies, timeout):
                raise RuntimeError("the bench server did not answer")
            return self.replies.pop(0)

    def command(self, text):
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()
        return self._expect()

    def count(self):
        return int(self.command("count"))

    def close(self):
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        self.proc.terminate()
        self.proc.wait(5)


# ---------------------------------------------------------------------------------------------------------------

def build_shim(workdir):
    shim = os.path.join(workdir, "ipvs_absent_shim.so")
    subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-o", shim, os.path.join(HERE, "ipvs_absent_shim.c"), "-ldl",
                    "-lpthread"], check=True)
    return shim


class Daemon:
    """tandemd or keepalived, checkers only, in the namespace, its output timestamped line by line on arrival."""

    def __init__(self, kind, binary, conf, workdir, shim):
        self.kind = kind
        self.pidfile = os.path.join(workdir, f"{kind}-checker.pid")
        cmd = [binary, "-C", "-n", "-l", "-G", "-f", conf, "-p", os.path.join(workdir, f"{kind}.pid"), "-c", self.pidfile]
        if kind == "tandemd":
            cmd += ["--control-socket", os.path.join(workdir, "tandem.sock")]
        env = dict(os.environ, LD_PRELOAD=shim)
        self.proc = subprocess.Popen(["ip", "netns", "exec", NS, *cmd], stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, env=env)
        self.lines = []  # (monotonic, text)
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            with self.lock:
                self.lines.append((time.monotonic(), line.rstrip("\n")))

    def checker_pid(self, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with open(self.pidfile) as f:
                    pid = int(f.read().strip())
                os.kill(pid, 0)
                return pid
            except (OSError, ValueError):
                time.sleep(0.1)
        raise RuntimeError(f"{self.kind}: no checker process (pid file {self.pidfile}); output:\n" + self.text())

    def text(self):
        with self.lock:
            return "\n".join(text for _, text in self.lines[-40:])

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def tcp_counters():
    """The namespace's TCP counters: ActiveOpens counts every connect the checker started, whoever accepted it."""
    lines = subprocess.run(["ip", "netns", "exec", NS, "cat", "/proc/net/snmp"], capture_output=True,
                           text=True).stdout.splitlines()
    tcp = [line.split()[1:] for line in lines if line.startswith("Tcp:")]
    return dict(zip(tcp[0], map(int, tcp[1])))


def cpu_split(pid):
    """(user, system) CPU seconds of a process."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) / TICKS, int(fields[12]) / TICKS


def rss_kib(pid, key="VmRSS"):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def daemons():
    only = os.environ.get("TANDEM_BENCH_ONLY")
    return [k for k in ("keepalived", "tandemd") if not only or k == only]


def binary_of(kind, tandemd):
    return "/usr/sbin/keepalived" if kind == "keepalived" else tandemd


def real_server_block(address, port, checker, weight=1):
    return f"    real_server {address} {port} {{\n      weight {weight}\n{checker}    }}\n"


def config(virtual_servers, servers_per_vs, port, checker, delay_loop):
    out = ["global_defs {\n  router_id bench\n}\n"]
    for v in range(virtual_servers):
        out.append(f"virtual_server 192.168.{200 + v // 250}.{v % 250 + 1} 80 {{\n  delay_loop {delay_loop}\n"
                   "  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n")
        for r in range(servers_per_vs):
            out.append(real_server_block(f"127.{1 + v // 250}.{v % 250}.{r + 1}", port, checker))
        out.append("}\n")
    return "".join(out)


def measure_steady(kind, binary, conf, workdir, shim, server, settle, window):
    daemon = Daemon(kind, binary, conf, workdir, shim)
    try:
        pid = daemon.checker_pid()
        time.sleep(settle)
        if daemon.proc.poll() is not None:
            raise RuntimeError(f"{kind} exited: {daemon.text()}")
        (user0, sys0), n0, tcp0, t0 = cpu_split(pid), server.count(), tcp_counters(), time.monotonic()
        time.sleep(window)
        (user1, sys1), n1, tcp1, t1 = cpu_split(pid), server.count(), tcp_counters(), time.monotonic()
        cpu0, cpu1 = user0 + sys0, user1 + sys1
        opens = tcp1["ActiveOpens"] - tcp0["ActiveOpens"]
        result = {"cpu": (cpu1 - cpu0) / (t1 - t0), "checks": opens / (t1 - t0), "cpu_s": cpu1 - cpu0,
                  "user_share": (user1 - user0) / max(cpu1 - cpu0, 1e-9),
                  "n": opens, "served": (n1 - n0) / (t1 - t0), "rss": rss_kib(pid), "hwm": rss_kib(pid, "VmHWM"),
                  "fails": tcp1["AttemptFails"] - tcp0["AttemptFails"]}
        down = sum(1 for _, text in daemon.lines if re.search(r"(?i)fail|down|remov", text))
        result["failure_lines"] = down
        return result
    finally:
        daemon.stop()


def steady_runs(name, conf_text, mode, port, settle, window, tandemd, workdir, shim):
    """Each daemon in turn against one server: {kind: measure_steady(...)}."""
    conf = os.path.join(workdir, f"{name}.conf")
    with open(conf, "w") as f:
        f.write(conf_text)
    server = Server(mode, [port])
    try:
        return {kind: measure_steady(kind, binary_of(kind, tandemd), conf, workdir, shim, server, settle, window)
                for kind in daemons()}
    finally:
        server.close()


def bench_cost(tandemd, workdir, shim):
    servers, per_vs, delay_loop = 10000, 100, 6
    checker = "      TCP_CHECK {\n        connect_timeout 3\n      }\n"
    # Start-up spreads the first checks over warmup (= delay_loop); two delay loops later it is steady.
    results = steady_runs("cost", config(servers // per_vs, per_vs, 8000, checker, delay_loop), "count", 8000,
                          2 * delay_loop + 3, 5 * delay_loop, tandemd, workdir, shim)
    for kind, r in results.items():
        print(f"COST {kind}: {r['checks']:.0f} checks/s, CPU {100 * r['cpu']:.1f}% of a core "
              f"({1e6 * r['cpu_s'] / max(r['n'], 1):.1f} us/check, {100 * r['user_share']:.0f}% of it user), RSS {r['rss'] / 1024:.1f} MiB "
              f"(peak {r['hwm'] / 1024:.1f} MiB); server accepted {r['served']:.0f}/s, {r['fails']} connects "
              f"failed, {r['failure_lines']} failure lines logged", flush=True)
    if len(results) == 2:
        k, t = results["keepalived"], results["tandemd"]
        print(f"COST ratio tandemd/keepalived: CPU {t['cpu'] / k['cpu']:.2f}, RSS {t['rss'] / k['rss']:.2f} "
              f"(at {t['checks']:.0f} vs {k['checks']:.0f} checks/s; expected {servers / delay_loop:.0f})")


def bench_http(tandemd, workdir, shim):
    # 3,000 servers every second: the rate is set by the configuration, so the figure compared is the cost of one
    # check, as checks per CPU-second of the checker process (what one core would sustain).
    servers, per_vs, delay_loop = 3000, 100, 1
    checker = ("      HTTP_GET {\n        url {\n          path /health\n          status_code 200\n        }\n"
               "        connect_timeout 3\n      }\n")
    results = steady_runs("http", config(servers // per_vs, per_vs, 8080, checker, delay_loop), "http", 8080,
                          6, 20, tandemd, workdir, shim)
    for kind, r in results.items():
        r["per_core"] = r["n"] / r["cpu_s"] if r["cpu_s"] > 0 else float("nan")
        print(f"HTTP {kind}: {r['checks']:.0f} checks/s at {100 * r['cpu']:.0f}% of a core -> "
              f"{r['per_core']:.0f} checks per CPU-second; RSS {r['rss'] / 1024:.1f} MiB, server answered "
              f"{r['served']:.0f}/s, {r['failure_lines']} failure lines logged", flush=True)
    if len(results) == 2:
        print(f"HTTP ratio tandemd/keepalived (checks per CPU-second): "
              f"{results['tandemd']['per_core'] / results['keepalived']['per_core']:.2f}")


REMOVED = {
    # keepalived 2.2: "Removing service [127.0.0.1]:tcp:9101 from VS [...]" ("Disabling" with inhibit_on_failure)
    "keepalived": lambda port, text: f"]:tcp:{port} " in text and re.search(r"Removing service|Disabling service",
                                                                          text) is not None,
    # tandemd: a line naming the real server and saying it went down / was removed.
    "tandemd": lambda port, text: re.search(rf"127\.0\.0\.1\]?:{port}\b", text) is not None
    and re.search(r"(?i)\bdown\b|remov", text) is not None,
}


def bench_latency(tandemd, workdir, shim):
    delay_loop, retry, delay_before_retry = 1, 1, 1
    bound = delay_loop + retry * delay_before_retry
    ports = list(range(9101, 9113))
    checker = (f"      TCP_CHECK {{\n        connect_timeout 1\n        retry {retry}\n"
               f"        delay_before_retry {delay_before_retry}\n      }}\n")
    out = ["global_defs {\n  router_id bench\n}\n"]
    for i, port in enumerate(ports):
        out.append(f"virtual_server 192.168.210.{i + 1} 80 {{\n  delay_loop {delay_loop}\n  lb_algo rr\n"
                   "  lb_kind NAT\n  protocol TCP\n"
                   + real_server_block("127.0.0.1", port, checker) + "}\n")
    conf = os.path.join(workdir, "latency.conf")
    with open(conf, "w") as f:
        f.write("".join(out))
    for kind in daemons():
        server = Server("timed", ports)
        daemon = Daemon(kind, binary_of(kind, tandemd), conf, workdir, shim)
        try:
            daemon.checker_pid()
            time.sleep(4)
            closed = {}
            for port in ports:  # staggered, so the closes fall at different phases of the check cycle
                server.command(f"close {port}")
                closed[port] = time.monotonic()
                time.sleep(delay_loop / len(ports))
            time.sleep(bound + 1.5)
            excess, since_close = [], []
            for port in ports:
                last = max((at for p, at in server.accepts if p == port and at <= closed[port]), default=None)
                with daemon.lock:
                    removed = next((t for t, text in daemon.lines if t > closed[port] and REMOVED[kind](port, text)),
                                   None)
                if last is None or removed is None:
                    continue
                since_close.append(removed - closed[port])
                # After a success the next check is delay_loop later, then `retry` retries delay_before_retry apart.
                excess.append(removed - (last + bound))
            if not excess:
                print(f"LATENCY {kind}: no removal seen in its log; last lines:\n{daemon.text()}")
                continue
            print(f"LATENCY {kind}: {len(excess)} closes; closed -> removed {min(since_close) * 1000:.0f}.."
                  f"{max(since_close) * 1000:.0f} ms (bound {bound * 1000:.0f} ms from the close); after the last "
                  f"success + delay_loop + retry x delay_before_retry: median {1000 * sorted(excess)[len(excess) // 2]:+.1f}"
                  f" ms, max {1000 * max(excess):+.1f} ms", flush=True)
        finally:
            daemon.stop()
            server.close()


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        serve(sys.argv[2], [int(p) for p in sys.argv[3:]])
        return 0
    if len(sys.argv) < 2 or sys.argv[1] not in ("cost", "http", "latency"):
        print(__doc__, file=sys.stderr)
        return 2
    tandemd = os.path.realpath(sys.argv[2] if len(sys.argv) > 2 else os.path.join(SOURCE, "build", "tandemd"))
    if os.geteuid() != 0:
        print("checker_bench: needs root (network namespace)", file=sys.stderr)
        return 1
    if "keepalived" in daemons() and not os.path.exists("/usr/sbin/keepalived"):
        print("checker_bench: keepalived is not installed", file=sys.stderr)
        return 1
    workdir = tempfile.mkdtemp(prefix="tbench-")
    subprocess.run(["ip", "netns", "add", NS], check=True)
    try:
        subprocess.run(["ip", "-n", NS, "link", "set", "lo", "up"], check=True)
        shim = build_shim(workdir)
        {"cost": bench_cost, "http": bench_http, "latency": bench_latency}[sys.argv[1]](tandemd, workdir, shim)
    finally:
        for pid in subprocess.run(["ip", "netns", "pids", NS], capture_output=True, text=True).stdout.split():
            try:
                os.kill(int(pid), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
        subprocess.run(["ip", "netns", "del", NS], check=False)
        subprocess.run(["rm", "-rf", workdir], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
