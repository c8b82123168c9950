"""Health checkers on the host, in network namespaces: `tandemd -C` (checkers only) in a director namespace, the real
servers in another, on a netlab segment (director `dir` 192.0.2.11, real servers `rs` 192.0.2.12 plus 192.0.2.21-29).
The kernel needs no IPVS: without it the checker child logs that it cannot sync the table and goes on checking. What
is asserted is what it reports (`tandemctl status --json`: health, last_change, weights, drained) and the notify
scripts it runs.

    checkers.py TANDEMD [TANDEMCTL]      (exit 77 with SKIPPED: when not root or without `ip netns`)
    checkers.py serve                    (the real servers: run by the test inside the rs namespace)

Cases: TCP_CHECK down/up times and notify order; HTTP_GET digest, status_code and virtualhost; SSL_GET against a
self-signed server; MISC_CHECK exit codes, misc_dynamic weights and a hung script's whole process group killed at
misc_timeout; SIGHUP reloads; drain and undrain across a SIGKILLed checker child. A time is measured from the
test's action to the change as the daemon dates it (last_change), and bounded by delay_loop, retry and
delay_before_retry plus SLACK (tandemctl polling, process starts on a loaded machine)."""
from __future__ import annotations

import datetime
import hashlib
import http.server
import json
import os
import shutil
import signal
import socketserver
import ssl
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netlab  # noqa: E402
import runner  # noqa: E402
from runner import case, expect  # noqa: E402

DELAY_LOOP = 1.0
RETRY = 1
DELAY_BEFORE_RETRY = 1.0
DOWN_BOUND = DELAY_LOOP + RETRY * DELAY_BEFORE_RETRY  # a failing server is reported down within this
UP_BOUND = DELAY_LOOP  # and a recovered one up within this
SLACK = float(os.environ.get("TANDEM_CHECKERS_SLACK", "1.0"))
VIP = "192.0.2.100"
BODY = "tandem checker body\n"


# ---------------------------------------------------------------------------------------------------------------
# The real servers: one process in the rs namespace, one command a line on stdin, one answer line ("ok ...").
#   tcp|http ADDR PORT, https ADDR PORT CERT KEY   open a listener
#   close ADDR PORT                                 close it
#   body ADDR PORT TEXT..., status ADDR PORT CODE   what the HTTP(S) server at ADDR:PORT answers from now on
#   hosts ADDR PORT                                 the Host headers it received, comma-separated, oldest first

class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        page = self.server.page
        page["hosts"].append(self.headers.get("Host", ""))
        body = page["body"].encode()
        self.send_response(page["status"])
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class _Server(socketserver.ThreadingTCPServer):
    """A listener serving from a thread of its own: TCP (accept, hang up) or, with _Handler, HTTP or HTTPS."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, handler=socketserver.BaseRequestHandler, tls=None):
        super().__init__(address, handler)
        self.page = {"body": BODY, "status": 200, "hosts": []}
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.socket = context.wrap_socket(self.socket, server_side=True)
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()

    def handle_error(self, request, client_address):
        pass  # a checker hanging up mid-handshake is not news

    def close(self):
        self.shutdown()
        self.server_close()


def serve():
    servers = {}
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        verb, key, rest = words[0], (words[1], int(words[2])), words[3:]
        try:
            if verb == "tcp":
                servers[key] = _Server(key)
            elif verb in ("http", "https"):
                servers[key] = _Server(key, _Handler, tls=rest if verb == "https" else None)
            elif verb == "close":
                servers.pop(key).close()
            elif verb == "body":
                servers[key].page["body"] = " ".join(rest) + "\n"
            elif verb == "status":
                servers[key].page["status"] = int(rest[0])
            elif verb == "hosts":
                print("ok " + ",".join(servers[key].page["hosts"]), flush=True)
                continue
            print("ok", flush=True)
        except (OSError, KeyError, ValueError, ssl.SSLError) as e:
            print(f"error {verb} {key}: {e}", flush=True)


# ---------------------------------------------------------------------------------------------------------------
# The test side.

TANDEMD = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1] != "serve" else ""
TANDEMCTL = (os.path.abspath(sys.argv[2]) if len(sys.argv) > 2
             else os.path.join(os.path.dirname(TANDEMD), "tandemctl"))


class Bench:
    """One case's lab: the segment, the real servers (the farm), tandemd -C in `dir`, and the case's files."""

    def __init__(self, ctx: runner.Ctx):
        self.lab = netlab.Lab(["dir", "rs"], keep_dir=ctx.env.keep_dir).__enter__()
        ctx.labs.append(self.lab)  # closed (with the daemon's last log lines on a failure) whatever happens
        self.tmp = self.lab.tmp
        rs = self.lab.node("rs")
        batch = os.path.join(self.tmp, "addresses")
        with open(batch, "w") as f:
            f.writelines(f"addr add 192.0.2.{i}/24 dev eth0\n" for i in range(21, 30))
        netlab.run("ip", "-n", rs.ns, "-batch", batch)
        self.farm = subprocess.Popen(["ip", "netns", "exec", rs.ns, sys.executable, os.path.abspath(__file__),
                                      "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     start_new_session=True)
        self.lab.helpers.append(self.farm)
        self.daemon: netlab.Daemon | None = None
        self.notify_log = os.path.join(self.tmp, "notify.log")

    def server(self, *words) -> str:
        self.farm.stdin.write(" ".join(str(w) for w in words) + "\n")
        self.farm.stdin.flush()
        answer = self.farm.stdout.readline().strip()
        if not answer.startswith("ok"):
            raise runner.CaseFailure(f"real servers: {' '.join(map(str, words))}: {answer or 'no answer'}")
        return answer[3:]

    def script(self, name: str, text: str) -> str:
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o755)
        return path

    def start(self, conf: str) -> netlab.Daemon:
        self.socket = os.path.join(self.tmp, "ctl.sock")
        self.daemon = self.lab.start_daemon("dir", "tandemd", conf, binary=TANDEMD,
                                            extra=["-C", "--control-socket", self.socket])
        base = self.daemon.conf[:-len(".conf")]
        self.parent_pid_file, self.checker_pid_file = base + ".pid", base + ".chk.pid"
        expect(self.lab.wait_until(lambda: (self.status() or {}).get("virtual_servers") is not None, 5),
               "tandemctl status --json shows no virtual server 5 s after the start")
        return self.daemon

    def start_one(self, listener: tuple, address: str, port: int, check: str, weight: int = 1,
                  notify: str = "") -> str:
        """Opens one real server (`listener`: the farm's verb and its extra words), starts the daemon with that
        server alone and waits for its first check to pass; returns the server's name as status shows it."""
        self.server(listener[0], address, port, *listener[1:])
        self.start(config(real_server(address, port, check, weight, notify)))
        name = f"{address}:{port}"
        self.wait_health(name, "up", 5)
        return name

    def ctl(self, *args) -> subprocess.CompletedProcess:
        return netlab.run(TANDEMCTL, "--socket", self.socket, *args, check=False)

    def status(self) -> dict | None:
        p = self.ctl("status", "--json")
        try:
            return json.loads(p.stdout) if p.returncode == 0 else None
        except ValueError:
            return None

    def real_server(self, name: str) -> dict:
        for vs in (self.status() or {}).get("virtual_servers") or []:  # null until the checker child answers
            for rs in vs["real_servers"]:
                if rs["name"] == name:
                    return rs
        return {}

    def notifications(self) -> list[str]:
        """The notify script's lines without their time stamps: ["down 192.0.2.21:8001", ...]."""
        if not os.path.exists(self.notify_log):
            return []
        with open(self.notify_log) as f:
            return [line.split(" ", 1)[1].strip() for line in f if " " in line]

    def notify_script(self) -> str:
        return self.script("notify.sh", f'#!/bin/sh\necho "$(date +%s.%N) $*" >> {self.notify_log}\n')

    def pid(self, path: str) -> int | None:
        try:
            with open(path) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def wait_health(self, name: str, health: str, timeout: float, since: float = 0.0) -> dict:
        """The real server's status once it is `health`, checked by every checker at least once, and (with `since`)
        changed to it after that wall time. A CaseFailure after `timeout` s."""
        seen: dict = {}

        def reached() -> bool:
            seen.clear()
            seen.update(self.real_server(name))
            return (seen.get("health") == health and bool(seen["checkers"])
                    and all(c["attempts"] > 0 for c in seen["checkers"])
                    and (not since or changed_at(seen) >= since))
        if not self.lab.wait_until(reached, timeout, interval=0.05):
            last = "; ".join(c.get("last_failure", c["state"]) for c in seen.get("checkers", []))
            raise runner.CaseFailure(f"{name} not {health} within {timeout:.1f} s (health {seen.get('health')}, "
                                     f"last change {seen.get('last_change')}, checkers: {last or 'none'})")
        return dict(seen)


def changed_at(rs: dict) -> float:
    """When the checker child last changed the real server's health (wall time), 0 when never."""
    at = rs.get("last_change", {}).get("at")
    if not at:
        return 0.0
    return datetime.datetime.strptime(at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()


TIMES: dict[str, list[float]] = {}


def transition(ctx: runner.Ctx, b: Bench, name: str, health: str, action, bound: float, what: str,
               at_least: float = 0.0) -> dict:
    """Runs `action` (which breaks or mends the server) and waits for `name` to turn `health`; the time from the
    action to the daemon's own record of the change must be at least `at_least` (retries honoured) and at most
    `bound` + SLACK."""
    t0 = time.time()
    action()
    rs = b.wait_health(name, health, bound + SLACK + 2, since=t0)
    took = changed_at(rs) - t0
    TIMES.setdefault(f"{what.split(':')[0]} {health}", []).append(took)
    ctx.note(f"{what}: {health} after {took:.2f} s (bound {bound:g} s + {SLACK:g} s slack"
             + (f", at least {at_least:g} s" if at_least else "") + ")")
    expect(at_least - 0.05 <= took <= bound + SLACK,
           f"{what}: {health} after {took:.2f} s, outside [{at_least:g}, {bound:g} + {SLACK:g}] s")
    return rs


# ---------------------------------------------------------------------------------------------------------------
# keepalived.conf: one virtual server (nothing reaches it: there is no IPVS), the real servers of the case; no warmup,
# so every first check comes 1 s after the start (or after the reload that added it).

def config(*real_servers: str) -> str:
    return ("global_defs {\n  router_id tck\n}\n"
            f"virtual_server {VIP} 80 {{\n  delay_loop {DELAY_LOOP:g}\n  lvs_sched rr\n  lvs_method NAT\n"
            "  protocol TCP\n  warmup 0\n" + "".join(real_servers) + "}\n")


def real_server(address: str, port: int, checker: str, weight: int = 1, notify: str = "") -> str:
    lines = [f"real_server {address} {port} {{", f"  weight {weight}"]
    if notify:
        lines += [f'  notify_up "{notify} up {address}:{port}"', f'  notify_down "{notify} down {address}:{port}"']
    lines += ["  " + line for line in checker.splitlines()] + ["}"]
    return "".join(f"  {line}\n" for line in lines)


def checker(kind: str, *lines: str, retry: int = RETRY) -> str:
    timing = [f"retry {retry}", f"delay_before_retry {DELAY_BEFORE_RETRY:g}"]
    if kind != "MISC_CHECK":
        timing.insert(0, "connect_timeout 1")
    return "\n".join([f"{kind} {{", *(f"  {line}" for line in (*lines, *timing)), "}"])


def url_block(digest: str) -> list[str]:
    return ["url {", "  path /x", f"  digest {digest}", "  status_code 200", "}"]


DIGEST = hashlib.md5(BODY.encode()).hexdigest()


# ---------------------------------------------------------------------------------------------------------------
# The cases.

@case("TCP_CHECK: closed -> down, reopened -> up, notify_down then notify_up", needs=("tandemd_binary",))
def case_tcp(ctx: runner.Ctx) -> None:
    b = Bench(ctx)
    rs = b.start_one(("tcp",), "192.0.2.21", 8001, checker("TCP_CHECK"), 3, b.notify_script())
    expect(b.notifications() == [], f"no notify script at start-up (servers start up): {b.notifications()}")
    down = transition(ctx, b, rs, "down", lambda: b.server("close", "192.0.2.21", 8001), DOWN_BOUND,
                      "TCP_CHECK: listener closed", at_least=RETRY * DELAY_BEFORE_RETRY)
    expect(down["pool_weight"] is None and down["checkers"][0]["failures"] >= RETRY + 1,
           f"down: out of the pool after {RETRY} retry ({down['pool_weight']=}, "
           f"failures {down['checkers'][0]['failures']})")
    up = transition(ctx, b, rs, "up", lambda: b.server("tcp", "192.0.2.21", 8001), UP_BOUND,
                    "TCP_CHECK: listener reopened")
    expect(up["pool_weight"] == 3, f"up: back in the pool at weight 3 ({up['pool_weight']})")
    expect(b.lab.wait_until(lambda: len(b.notifications()) >= 2, 2), f"notify lines: {b.notifications()}")
    expect(b.notifications() == [f"down {rs}", f"up {rs}"],
           f"notify_down then notify_up, once each: {b.notifications()}")


@case("HTTP_GET: digest, status_code and virtualhost", needs=("tandemd_binary",))
def case_http_get(ctx: runner.Ctx) -> None:
    b = Bench(ctx)
    rs = b.start_one(("http",), "192.0.2.22", 8080,
                     checker("HTTP_GET", *url_block(DIGEST), "virtualhost www.tandem.test"))
    down = transition(ctx, b, rs, "down", lambda: b.server("body", "192.0.2.22", 8080, "another body"),
                      DOWN_BOUND, "HTTP_GET: body changed", at_least=RETRY * DELAY_BEFORE_RETRY)
    ctx.note(f"  reason: {down['last_change']['reason']}")
    expect("digest" in down["last_change"]["reason"], f"down for the digest: {down['last_change']['reason']}")
    transition(ctx, b, rs, "up", lambda: b.server("body", "192.0.2.22", 8080, BODY.strip()), UP_BOUND,
               "HTTP_GET: body restored")
    down = transition(ctx, b, rs, "down", lambda: b.server("status", "192.0.2.22", 8080, 500), DOWN_BOUND,
                      "HTTP_GET: status 500", at_least=RETRY * DELAY_BEFORE_RETRY)
    ctx.note(f"  reason: {down['last_change']['reason']}")
    expect("500" in down["last_change"]["reason"], f"down for the status: {down['last_change']['reason']}")
    transition(ctx, b, rs, "up", lambda: b.server("status", "192.0.2.22", 8080, 200), UP_BOUND,
               "HTTP_GET: status 200 again")
    hosts = b.server("hosts", "192.0.2.22", 8080).split(",")
    expect(hosts and set(hosts) == {"www.tandem.test"}, f"every request's Host is the virtualhost: {set(hosts)}")
    ctx.note(f"{len(hosts)} requests, Host: {hosts[0]}")
    # libcurl and libcrypto (the digest) are loaded where the requests are made, in the checker child, and not in the
    # parent (nor in a VRRP child without AH: the same program).
    parent, child = (int(open(f).read().split()[0]) for f in (b.parent_pid_file, b.checker_pid_file))
    expect("/libcurl" in open(f"/proc/{child}/maps").read(), f"the checker child (pid {child}) has loaded libcurl")
    parent_maps = open(f"/proc/{parent}/maps").read()
    expect("/libcurl" not in parent_maps, f"the parent (pid {parent}) has not loaded libcurl")
    expect("/libcrypto" not in parent_maps, f"the parent (pid {parent}) has not loaded libcrypto")


@case("SSL_GET: self-signed server up, stopped -> down", needs=("tandemd_binary",))
def case_ssl_get(ctx: runner.Ctx) -> None:
    if not shutil.which("openssl"):
        raise runner.Skip("openssl is not installed (needed for the self-signed certificate)")
    b = Bench(ctx)
    key, cert = os.path.join(b.tmp, "rs.key"), os.path.join(b.tmp, "rs.crt")
    netlab.run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=rs.test",
               "-keyout", key, "-out", cert)
    rs = b.start_one(("https", cert, key), "192.0.2.23", 8443, checker("SSL_GET", *url_block(DIGEST)))
    down = transition(ctx, b, rs, "down", lambda: b.server("close", "192.0.2.23", 8443), DOWN_BOUND,
                      "SSL_GET: server stopped", at_least=RETRY * DELAY_BEFORE_RETRY)
    ctx.note(f"  reason: {down['last_change']['reason']}")
    transition(ctx, b, rs, "up", lambda: b.server("https", "192.0.2.23", 8443, cert, key), UP_BOUND,
               "SSL_GET: server restarted")


MISC_SCRIPT = """#!/bin/bash
# A MISC_CHECK: exits with the number written in file $1. With "hang" there it hangs in a `sleep 1000` and leaves
# a second one in the background, both named $2 so that pgrep -f finds whatever the daemon failed to kill.
code=$(cat "$1")
if [ "$code" = hang ]; then
  (exec -a "$2" sleep 1000) &
  (exec -a "$2" sleep 1000)
fi
exit "$code"
"""


def leftovers(marker: str) -> list[str]:
    return netlab.run("pgrep", "-af", marker, check=False).stdout.splitlines()


@case("MISC_CHECK: exit codes, misc_dynamic weight, misc_timeout kills the process group", needs=("tandemd_binary",))
def case_misc_check(ctx: runner.Ctx) -> None:
    b = Bench(ctx)
    script = b.script("misc.sh", MISC_SCRIPT)
    marker = f"tck-hang-{os.getpid()}-{int(time.time() * 1000) % 100000}"
    codes = {name: os.path.join(b.tmp, f"{name}.code") for name in ("plain", "dynamic", "hung")}

    def set_code(name: str, code) -> None:
        with open(codes[name] + ".new", "w") as f:
            f.write(f"{code}\n")
        os.replace(codes[name] + ".new", codes[name])  # never a half-written file under a running check
    for name in codes:
        set_code(name, 0)

    def misc(name: str, *extra: str, retry: int = RETRY) -> str:
        return checker("MISC_CHECK", f'misc_path "{script} {codes[name]} {marker}"', *extra, retry=retry)
    misc_timeout = 1.0
    b.start(config(real_server("192.0.2.24", 80, misc("plain"), 2),
                   real_server("192.0.2.25", 80, misc("dynamic", "misc_dynamic"), 2),
                   real_server("192.0.2.26", 80, misc("hung", f"misc_timeout {misc_timeout:g}", retry=0), 2)))
    for rs in ("192.0.2.24:80", "192.0.2.25:80", "192.0.2.26:80"):
        b.wait_health(rs, "up", 5)

    transition(ctx, b, "192.0.2.24:80", "down", lambda: set_code("plain", 1), DOWN_BOUND, "MISC_CHECK: exit 1",
               at_least=RETRY * DELAY_BEFORE_RETRY)
    transition(ctx, b, "192.0.2.24:80", "up", lambda: set_code("plain", 0), UP_BOUND, "MISC_CHECK: exit 0")

    set_code("dynamic", 7)
    weighted = {}

    def reweighted() -> bool:
        weighted.clear()
        weighted.update(b.real_server("192.0.2.25:80"))
        return weighted.get("dynamic_weight") == 5
    t0 = time.monotonic()
    ok = b.lab.wait_until(reweighted, DELAY_LOOP + SLACK, interval=0.05)
    ctx.note(f"misc_dynamic exit 7: {json.dumps({k: weighted.get(k) for k in ('health', 'weight', 'dynamic_weight', 'pool_weight')})} "
             f"after {time.monotonic() - t0:.2f} s")
    expect(ok and weighted["health"] == "up" and weighted["pool_weight"] == 5,
           f"misc_dynamic exit 7: up at weight 5 within {DELAY_LOOP + SLACK:g} s: {weighted}")
    # keepalived: "exit status 0: svc check success, weight unchanged".
    set_code("dynamic", 0)
    attempts = weighted["checkers"][0]["attempts"]
    expect(b.lab.wait_until(lambda: b.real_server("192.0.2.25:80")["checkers"][0]["attempts"] >= attempts + 2,
                            2 * DELAY_LOOP + SLACK, interval=0.05), "misc_dynamic: the checks go on")
    kept = b.real_server("192.0.2.25:80")
    expect(kept.get("dynamic_weight") == 5 and kept["pool_weight"] == 5,
           f"misc_dynamic exit 0 after exit 7: the weight stays 5 (dynamic_weight {kept.get('dynamic_weight')}, "
           f"pool weight {kept['pool_weight']})")

    # The hung script: down at its timeout, and nothing of it left once the check passes again.
    bound = DELAY_LOOP + misc_timeout
    transition(ctx, b, "192.0.2.26:80", "down", lambda: set_code("hung", "hang"), bound,
               f"MISC_CHECK: hung script, misc_timeout {misc_timeout:g}", at_least=misc_timeout)
    expect(b.lab.wait_until(lambda: len(leftovers(marker)) >= 2, DELAY_LOOP + 0.5),
           f"control: pgrep finds the hung script's two sleeps while it hangs ({leftovers(marker)})")
    up = transition(ctx, b, "192.0.2.26:80", "up", lambda: set_code("hung", 0), UP_BOUND + misc_timeout,
                    "MISC_CHECK: hung script fixed")
    gone = b.lab.wait_until(lambda: not leftovers(marker), 3)
    expect(gone, f"every process of the timed-out scripts is killed: still running {leftovers(marker)}")
    ctx.note(f"  reason while down: {up['checkers'][0].get('last_failure')}; no `{marker}` process left")


def reload(b: Bench, conf: str) -> None:
    """Writes `conf` and sends SIGHUP to the parent (from its pid file); returns once the checker child has
    reloaded (its `reload:` log line)."""
    with open(b.daemon.conf, "w") as f:
        f.write(conf)
    before = b.daemon.log_text().count("reload: ")
    os.kill(b.pid(b.parent_pid_file), signal.SIGHUP)
    expect(b.lab.wait_until(lambda: b.daemon.log_text().count("reload: ") > before, 5),
           "the checker child did not log its reload within 5 s")


def snapshot(b: Bench, names: list[str]) -> dict:
    return {name: (rs.get("health"), rs.get("last_change"), rs.get("pool_weight"))
            for name in names for rs in [b.real_server(name)]}


@case("SIGHUP: an unchanged file keeps every health, an added real server is checked", needs=("tandemd_binary",))
def case_reload(ctx: runner.Ctx) -> None:
    b = Bench(ctx)
    notify = b.notify_script()
    b.server("tcp", "192.0.2.21", 8001)
    b.server("tcp", "192.0.2.28", 8003)  # for the server the second reload adds
    servers = [real_server("192.0.2.21", 8001, checker("TCP_CHECK"), 3, notify),
               real_server("192.0.2.27", 8002, checker("TCP_CHECK"), 3, notify)]  # nothing listens: down
    b.start(config(*servers))
    names = ["192.0.2.21:8001", "192.0.2.27:8002"]
    b.wait_health(names[0], "up", 5)
    b.wait_health(names[1], "down", 5 + DOWN_BOUND)
    before, notified = snapshot(b, names), b.notifications()
    expect(notified == ["down 192.0.2.27:8002"], f"notify before the reload: {notified}")
    attempts = b.real_server(names[0])["checkers"][0]["attempts"]

    t0 = time.monotonic()
    reload(b, config(*servers))
    ctx.note(f"unchanged file: the checker child reloaded {(time.monotonic() - t0) * 1000:.0f} ms after SIGHUP")
    time.sleep(DOWN_BOUND + DELAY_LOOP)  # long enough for a reset server to be found down (or up) again
    after = snapshot(b, names)
    expect(after == before, f"an unchanged reload kept health and last change: {before} -> {after}")
    expect(b.notifications() == notified, f"no notify script ran on the reload: {b.notifications()}")
    more = b.real_server(names[0])["checkers"][0]["attempts"]
    expect(more > attempts, f"checks go on after the reload ({attempts} -> {more} attempts)")

    added = [real_server("192.0.2.28", 8003, checker("TCP_CHECK"), 1, notify),
             real_server("192.0.2.29", 8004, checker("TCP_CHECK"), 1, notify)]  # nothing listens: down
    t0 = time.time()
    reload(b, config(*servers, *added))
    # A new checker starts 1 s after the reload (no warmup); a failing one is down at its first result (keepalived
    # counts retries only for a server that was up).
    up = b.wait_health("192.0.2.28:8003", "up", 1 + SLACK)
    down = b.wait_health("192.0.2.29:8004", "down", 1 + SLACK)
    ctx.note(f"added servers: 192.0.2.28:8003 up ({up['checkers'][0]['attempts']} checks), 192.0.2.29:8004 down "
             f"{changed_at(down) - t0:.2f} s after the SIGHUP")
    expect(snapshot(b, names) == before, f"the reload adding servers kept the others: {snapshot(b, names)}")
    expect(b.lab.wait_until(lambda: len(b.notifications()) > 1, 2)
           and b.notifications() == ["down 192.0.2.27:8002", "down 192.0.2.29:8004"],
           f"notify: only the added server's notify_down: {b.notifications()}")


@case("tandemctl drain/undrain, kept across a SIGKILLed checker child", needs=("tandemd_binary",))
def case_drain(ctx: runner.Ctx) -> None:
    b = Bench(ctx)
    rs = b.start_one(("tcp",), "192.0.2.21", 8001, checker("TCP_CHECK"), 3)

    def drained(flag: bool, weight: int) -> bool:
        state = b.real_server(rs)
        return state.get("drained") is flag and state.get("pool_weight") == weight and state.get("health") == "up"
    p = b.ctl("drain", rs)
    expect(p.returncode == 0, f"tandemctl drain {rs}: exit {p.returncode}: {p.stderr.strip()}")
    expect(b.lab.wait_until(lambda: drained(True, 0), 1), f"drained, pool weight 0: {b.real_server(rs)}")
    ctx.note("drain: " + "; ".join(p.stdout.split("\n")).strip("; "))

    old = b.pid(b.checker_pid_file)
    t0 = time.monotonic()
    os.kill(old, signal.SIGKILL)
    expect(b.lab.wait_until(lambda: b.pid(b.checker_pid_file) not in (None, old), 3, interval=0.01),
           f"the checker child (pid {old}) is not respawned within 3 s")
    new = b.pid(b.checker_pid_file)
    respawned = time.monotonic() - t0
    ctx.note(f"checker child SIGKILLed: pid {old} -> {new} in {respawned * 1000:.0f} ms")
    # The new child has checked the server: its attempt counter restarts.
    checked = b.lab.wait_until(lambda: 0 < b.real_server(rs).get("checkers", [{}])[0].get("attempts", 0) < 3,
                               1 + DELAY_LOOP + SLACK, interval=0.05)
    state = b.real_server(rs)
    expect(checked and state["drained"] is True and state["pool_weight"] == 0,
           f"the new child checks the server and keeps the drain: {state}")
    run = json.loads(b.ctl("status", "--json").stdout)["daemon"]["children"]
    expect([c.get("respawns") for c in run if c["subsystem"] == "checker"] == [1],
           f"the parent counts one respawn: {run}")

    p = b.ctl("undrain", rs)
    expect(p.returncode == 0 and b.lab.wait_until(lambda: drained(False, 3), 1),
           f"undrain: back at weight 3 ({p.stdout.strip()} {p.stderr.strip()}): {b.real_server(rs)}")


# ---------------------------------------------------------------------------------------------------------------

class CheckerEnv(runner.Env):
    def _probe_tandemd(self) -> str:
        return ""  # runner's probe runs a VRRP instance; these cases need the checker child and check it themselves


def skip_reason() -> str:
    if os.geteuid() != 0:
        return "needs root (network namespaces)"
    if not shutil.which("ip"):
        return "iproute2 (ip) is not installed"
    if not TANDEMD or not os.access(TANDEMD, os.X_OK):
        return f"no tandemd binary at {TANDEMD or '(none given)'}"
    if not os.access(TANDEMCTL, os.X_OK):
        return f"no tandemctl at {TANDEMCTL}"
    probe = f"{netlab.PREFIX}{os.getpid()}-probe"
    if netlab.run("ip", "netns", "add", probe, check=False).returncode != 0:
        return "cannot create a network namespace (ip netns add failed)"
    netlab.run("ip", "netns", "del", probe, check=False)
    return ""


def main() -> int:
    if sys.argv[1:] == ["serve"]:
        serve()
        return 0
    reason = skip_reason()
    if reason:
        print(f"SKIPPED: {reason}", flush=True)
        return 77
    netlab.install_cleanup_handlers()
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    netlab.cleanup_stale()
    status = runner.run_all(CheckerEnv(TANDEMD))
    for what, times in TIMES.items():
        print(f"time {what}: " + ", ".join(f"{t:.2f}" for t in times) + " s", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
