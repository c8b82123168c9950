"""tandemd's supervising parent and its children, in a network namespace of their own (never the host's
interfaces): pid files, respawn after SIGKILL, SIGHUP with a broken configuration, dumps, tandemctl, SIGTERM, -R.

One veth pair inside the namespace carries a single VRRP instance (state MASTER, priority 150, 192.0.2.100/24);
a virtual_server block makes the parent start the checker child too. Times printed are measured here, from
the signal to what the test observes (pid file rewritten, address present)."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

TANDEMD, TANDEMCTL = sys.argv[1], sys.argv[2]
NS = f"tdmd-{os.getpid()}"
VIP = "192.0.2.100"

CONFIG = """global_defs {
  router_id tdmd
}
vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 1
  virtual_ipaddress {
    192.0.2.100/24
  }
}
virtual_server 192.0.2.100 80 {
  delay_loop 5
  lvs_sched rr
  lvs_method NAT
  protocol TCP
  real_server 192.0.2.20 80 {
    weight 1
    TCP_CHECK {
      connect_timeout 2
    }
  }
}
"""

failures = []


def check(ok, what):
    print(("PASS " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)
    return ok


def run(*args, **kw):
    return subprocess.run(list(args), capture_output=True, text=True, **kw)


def ns(*args):
    return run("ip", "netns", "exec", NS, *args)


def wait_for(predicate, timeout, step=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def read_pid(path):
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def vips():
    out = run("ip", "-n", NS, "-j", "addr", "show", "dev", "eth0")
    addresses = []
    for link in json.loads(out.stdout or "[]"):
        for a in link.get("addr_info", []):
            if a.get("family") == "inet" and a.get("local") != "192.0.2.1":
                addresses.append(f"{a['local']}/{a['prefixlen']}")
    return addresses


METRICS_PORT = 9650


def scrape(path):
    """GET http://127.0.0.1:METRICS_PORT<path> inside the namespace: 'STATUS content-type\nbody', or ''."""
    code = ("import sys, urllib.request, urllib.error\n"
            "try:\n"
            f"    r = urllib.request.urlopen('http://127.0.0.1:{METRICS_PORT}' + sys.argv[1], timeout=5)\n"
            "except urllib.error.HTTPError as e:\n"
            "    r = e\n"
            "print(r.status, r.headers.get('Content-Type'))\n"
            "print(r.read().decode())\n")
    out = ns("python3", "-c", code, path)
    return out.stdout if out.returncode == 0 else ""


class Daemon:
    def __init__(self, work, extra=()):
        self.work = work
        self.files = {k: os.path.join(work, k) for k in ("parent.pid", "vrrp.pid", "checkers.pid", "ctl.sock")}
        self.tmp = os.path.join(work, "tmp")
        os.makedirs(self.tmp, exist_ok=True)
        self.log_path = os.path.join(work, "tandemd.log")
        self.conf = os.path.join(work, "keepalived.conf")
        self.args = ["-n", "-l", "-G", "-f", self.conf, "-p", self.files["parent.pid"], "-r", self.files["vrrp.pid"],
                     "-c", self.files["checkers.pid"], "--control-socket", self.files["ctl.sock"], *extra]
        self.proc = None
        # Stands in for systemd's notification socket: what tandemd reports with sd_notify.
        self.notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.notify.bind(os.path.join(work, "notify.sock"))
        self.notify.setblocking(False)
        self.notifications_seen = []

    def notifications(self):
        while True:
            try:
                self.notifications_seen.append(self.notify.recv(4096).decode())
            except BlockingIOError:
                return list(self.notifications_seen)

    def start(self):
        env = dict(os.environ, TMPDIR=self.tmp, NOTIFY_SOCKET=os.path.join(self.work, "notify.sock"))
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen(["ip", "netns", "exec", NS, TANDEMD, *self.args], stdout=self.log,
                                     stderr=subprocess.STDOUT, env=env)

    def pid(self, which):
        return read_pid(self.files[which])

    def log_text(self):
        with open(self.log_path) as f:
            return f.read()

    def ctl(self, *args):
        return run(TANDEMCTL, "--socket", self.files["ctl.sock"], *args)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        for which in ("vrrp.pid", "checkers.pid"):
            p = self.pid(which)
            if p:
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass


def main_cases(work):
    d = Daemon(work, extra=("--metrics", str(METRICS_PORT)))
    with open(d.conf, "w") as f:
        f.write(CONFIG)
    d.start()
    try:
        up = wait_for(lambda: d.pid("vrrp.pid") and d.pid("checkers.pid") and VIP + "/24" in vips(), 10)
        if not check(bool(up), "parent starts both children; the VRRP child becomes MASTER and adds the VIP"):
            print(d.log_text())
            return
        parent = d.pid("parent.pid")
        check(parent == d.proc.pid or parent is not None, "parent pid file written")
        check(wait_for(lambda: os.path.exists(d.files["ctl.sock"]), 2), "control socket created")
        check(oct(os.stat(d.files["ctl.sock"]).st_mode & 0o777) == "0o600", "control socket mode is 0600")

        # A second daemon with the same parent pid file must refuse to start.
        second = run("ip", "netns", "exec", NS, TANDEMD, *d.args, timeout=10)
        check(second.returncode == 1 and "already running" in second.stderr,
              f"second tandemd with the same pid file is refused (exit {second.returncode})")
        check(d.pid("parent.pid") == parent, "the running daemon's pid file is untouched")

        status = d.ctl("status", "--json")
        ok = status.returncode == 0
        if check(ok, "tandemctl status --json answers"):
            s = json.loads(status.stdout)
            inst = (s.get("vrrp") or {}).get("instances", [])
            check(len(inst) == 1 and inst[0]["name"] == "VI_1" and inst[0]["state"] == "MASTER",
                  "tandemctl shows VI_1 MASTER")
            check(inst and sorted(inst[0]["vips"]) == sorted(vips()),
                  f"tandemctl VIPs {inst and inst[0]['vips']} equal ip -j addr {vips()}")
            check(inst and inst[0]["last_transition"]["to"] == "MASTER", "last transition to MASTER reported")
        table = d.ctl("status")
        check(table.returncode == 0 and "VI_1" in table.stdout and "MASTER" in table.stdout, "tandemctl status table")

        # The opt-in Prometheus endpoint, on the namespace's loopback.
        metrics = scrape("/metrics")
        check(metrics.startswith("200 ") and "text/plain; version=0.0.4" in metrics,
              f"--metrics serves /metrics ({metrics.splitlines()[0] if metrics else 'no answer'})")
        check('tandem_vrrp_state{instance="VI_1",interface="eth0",vrid="51",state="MASTER"} 1' in metrics
              and 'tandem_child_running{subsystem="checker"} 1' in metrics,
              "metrics show VI_1 MASTER and both children running")
        sent = [float(line.split()[-1]) for line in metrics.splitlines()
                if line.startswith("tandem_vrrp_adverts_sent_total{")]
        check(sent and sent[0] > 0, f"metrics count the adverts sent ({sent})")
        check(scrape("/nothing").startswith("404 "), "metrics: unknown path is 404")

        # Dumps land in $TMPDIR (never /tmp/keepalived.* here).
        for sig, signame, name in ((signal.SIGUSR1, "SIGUSR1", "keepalived.data"),
                                (signal.SIGUSR2, "SIGUSR2", "keepalived.stats"),
                                (signal.SIGRTMIN + 2, "SIGRTMIN+2", "keepalived.json")):
            path = os.path.join(d.tmp, name)
            os.kill(parent, sig)
            written = wait_for(lambda: os.path.exists(path) and os.path.getsize(path) > 0, 3)
            check(bool(written), f"{signame} writes $TMPDIR/{name}")
        try:
            with open(os.path.join(d.tmp, "keepalived.json")) as f:
                j = json.load(f)
            check(j["instances"][0]["state"] == "MASTER", "JSON dump has VI_1 MASTER")
            with open(os.path.join(d.tmp, "keepalived.data")) as f:
                check("VRRP Instance = VI_1" in f.read(), "data dump names VI_1")
            with open(os.path.join(d.tmp, "keepalived.stats")) as f:
                check("Advertisements:" in f.read(), "statistics dump has the advert counters")
        except (OSError, ValueError, KeyError, IndexError) as e:
            check(False, f"dump contents readable ({e})")
        check(d.pid("vrrp.pid") and d.pid("checkers.pid"), "children survive the dump signals")

        # SIGKILL of the checker child: VIPs stay, the child is back within a second.
        old = d.pid("checkers.pid")
        t0 = time.monotonic()
        os.kill(old, signal.SIGKILL)
        back = wait_for(lambda: d.pid("checkers.pid") not in (None, old), 3, 0.005)
        elapsed = time.monotonic() - t0
        check(bool(back) and elapsed < 1.0, f"checker child respawned in {elapsed * 1000:.0f} ms")
        check(VIP + "/24" in vips(), "VIP stays while the checker child restarts")

        check(os.path.exists(os.path.join(work, "vrrp.state")), "the VRRP child keeps a resume record by its pid file")
        # SIGKILL of the VRRP child: the parent respawns it, and the new child resumes the MASTER its predecessor
        # was (its resume record) without touching the VIP: a netlink monitor must see no address deleted, and
        # polling must never find the VIP missing.
        monitor = subprocess.Popen(["ip", "-n", NS, "-o", "monitor", "address"], stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True)
        time.sleep(0.2)  # the monitor has subscribed
        old = d.pid("vrrp.pid")
        t0 = time.monotonic()
        os.kill(old, signal.SIGKILL)
        missing_since, gap = None, 0.0
        while time.monotonic() - t0 < 3:
            now = time.monotonic()
            if VIP + "/24" in vips():
                if missing_since is not None:
                    gap += now - missing_since
                    missing_since = None
            elif missing_since is None:
                missing_since = now
            if d.pid("vrrp.pid") not in (None, old) and "resumes as MASTER" in d.log_text():
                break
        if missing_since is not None:
            gap += time.monotonic() - missing_since
        respawn = time.monotonic() - t0
        back = d.pid("vrrp.pid") not in (None, old)
        check(back and respawn < 2.0, f"VRRP child respawned and resumed in {respawn * 1000:.0f} ms")
        check("VRRP_Instance(VI_1) resumes as MASTER" in d.log_text() and
              "INIT -> MASTER (resumed after a VRRP child restart)" in d.log_text(),
              "the respawned child resumes VI_1 as MASTER from its predecessor's record")
        time.sleep(1.5)  # past the old behaviour's re-add (~1.1-1.5 s after the kill)
        monitor.terminate()
        events = monitor.communicate(timeout=5)[0].splitlines()
        deleted = [e for e in events if e.startswith("Deleted") and VIP in e]
        check(not deleted, f"no VIP removal seen by the netlink monitor across the VRRP child kill ({deleted})")
        check(gap == 0.0 and VIP + "/24" in vips(), f"VIP gap across the VRRP child kill: {gap * 1000:.0f} ms")
        check("removed leftover VIP" not in d.log_text(), "no leftover removal logged")
        # Forwarded signals while the new children start must not kill them (they arrive blocked until the
        # handlers are in place).
        old = d.pid("checkers.pid")
        os.kill(old, signal.SIGKILL)
        end = time.monotonic() + 3  # the second death in a minute waits out the 1 s backoff
        while time.monotonic() < end and d.pid("checkers.pid") in (None, old):
            os.kill(parent, signal.SIGUSR2)
            time.sleep(0.002)
        end = time.monotonic() + 0.2
        while time.monotonic() < end:
            os.kill(parent, signal.SIGUSR2)
            time.sleep(0.002)
        time.sleep(0.3)
        check("killed by signal 12" not in d.log_text() and d.pid("checkers.pid") not in (None, old),
              "SIGUSR2 bursts during a child's start do not kill it")
        master = wait_for(lambda: '"state": "MASTER"' in d.ctl("status", "--json").stdout and VIP + "/24" in vips(), 8)
        check(bool(master), "respawned VRRP child is MASTER with the VIP")
        check(d.pid("parent.pid") == parent, "the parent kept running")

        # SIGHUP with a broken configuration: errors logged as file:line, nothing changes.
        pids = (d.pid("vrrp.pid"), d.pid("checkers.pid"))
        with open(d.conf, "w") as f:
            f.write(CONFIG.replace("priority 150", "priority 999"))
        os.kill(parent, signal.SIGHUP)
        refused = wait_for(lambda: "reload refused" in d.log_text(), 5)
        check(bool(refused), "SIGHUP with a broken configuration is refused")
        check(f"{d.conf}:8: error:" in d.log_text(), "the error is logged as file:line")
        time.sleep(0.5)
        check((d.pid("vrrp.pid"), d.pid("checkers.pid")) == pids, "children untouched")
        check(VIP + "/24" in vips() and "SIGHUP: reloading" not in d.log_text().split("reload refused")[-1],
              "VIP still present, no child reloaded")
        reply = d.ctl("reload")
        check(reply.returncode == 1 and ":8: error:" in reply.stderr, "tandemctl reload returns the errors")
        with open(d.conf, "w") as f:
            f.write(CONFIG)
        check(d.ctl("reload").returncode == 0, "tandemctl reload of a valid configuration")
        check(bool(wait_for(lambda: "kept running in MASTER across the reload" in d.log_text(), 5)),
              "the VRRP child reloads and keeps VI_1 MASTER")

        # SIGTERM: orderly stop, pid files and sockets removed, VIP released.
        t0 = time.monotonic()
        os.kill(parent, signal.SIGTERM)
        try:
            code = d.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        check(code == 0, f"SIGTERM: exit status {code} after {time.monotonic() - t0:.2f} s")
        for name, path in d.files.items():
            check(not os.path.exists(path), f"{name} removed")
        check(not os.path.exists(os.path.join(work, "ctl-vrrp.sock")), "VRRP child's socket removed")
        check(not os.path.exists(os.path.join(work, "vrrp.state")), "VRRP child's resume record removed")
        check(VIP + "/24" not in vips(), "VIP released at stop")
        # Only the state keys: MONOTONIC_USEC's value may itself contain "=1".
        states = [line for n in d.notifications() for line in n.split("\n")
                  if line.split("=", 1)[0] in ("READY", "RELOADING", "STOPPING")]
        check(all("MONOTONIC_USEC=" in n for n in d.notifications_seen if "RELOADING=1" in n),
              "each RELOADING=1 carries MONOTONIC_USEC, as Type=notify-reload requires")
        check(states == ["READY=1", "RELOADING=1", "READY=1", "RELOADING=1", "READY=1", "RELOADING=1", "READY=1",
                         "STOPPING=1"],
              f"sd_notify: READY at start, RELOADING/READY around each reload, STOPPING at the end ({states})")
    finally:
        d.stop()


def dont_respawn_case(work):
    d = Daemon(work, extra=("-R",))
    with open(d.conf, "w") as f:
        f.write(CONFIG)
    d.start()
    try:
        if not check(bool(wait_for(lambda: d.pid("vrrp.pid") and d.pid("checkers.pid"), 10)), "-R: children up"):
            return
        os.kill(d.pid("checkers.pid"), signal.SIGKILL)
        try:
            code = d.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        check(code not in (None, 0), f"-R: a dead child stops the daemon, exit status {code}")
        check(not os.path.exists(d.files["vrrp.pid"]) and not os.path.exists(d.files["parent.pid"]),
              "-R: pid files removed")
    finally:
        d.stop()


def main():
    work = tempfile.mkdtemp(prefix="tdmd-")
    stray = [p for p in ("/tmp/keepalived.data", "/tmp/keepalived.stats", "/tmp/keepalived.json") if os.path.exists(p)]
    subprocess.run(["ip", "netns", "add", NS], check=True)
    try:
        ns("ip", "link", "set", "lo", "up")
        ns("ip", "link", "add", "eth0", "type", "veth", "peer", "name", "peer0")
        ns("ip", "link", "set", "eth0", "up")
        ns("ip", "link", "set", "peer0", "up")
        ns("ip", "addr", "add", "192.0.2.1/24", "dev", "eth0")
        for name, case in (("main", main_cases), ("norespawn", dont_respawn_case)):
            os.makedirs(os.path.join(work, name))
            case(os.path.join(work, name))
        now = [p for p in ("/tmp/keepalived.data", "/tmp/keepalived.stats", "/tmp/keepalived.json")
               if os.path.exists(p)]
        check(now == stray, "nothing written to /tmp/keepalived.*")
    finally:
        subprocess.run(["ip", "netns", "del", NS])
        if os.environ.get("TANDEM_INTEG_KEEP"):
            print("kept", work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{len(failures)} failed" if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    sys.exit(main())
