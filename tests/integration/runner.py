"""A tiny case runner for the namespace tests: one line per case (PASS/FAIL/SKIP), a final count line.

A case is a function taking a Ctx. It declares which daemons it needs: "dut" is the daemon under test (tandemd, or
keepalived when TANDEM_INTEG_DUT=keepalived, to validate the harness itself), "keepalived" is the reference peer.
"""
from __future__ import annotations

import os
import shutil
import signal
import sys
import time
import traceback

import netlab
import vrrp_conf
import vrrp_wire

CASES: list = []


class Skip(Exception):
    pass


class CaseFailure(AssertionError):
    pass


def case(name: str, needs: tuple = ("dut",)):
    def register(fn):
        CASES.append((name, needs, fn))
        return fn
    return register


def expect(cond, message: str) -> None:
    if not cond:
        raise CaseFailure(message)


def master_down_interval(version: int, adver_int: float, priority: int) -> float:
    """RFC 3768/5798: 3 x advert interval + skew; v2 skew is in seconds, v3 skew scales with the interval."""
    skew = (256 - priority) / 256 * (adver_int if version == 3 else 1.0)
    return 3 * adver_int + skew


def skew_time(version: int, adver_int: float, priority: int) -> float:
    return (256 - priority) / 256 * (adver_int if version == 3 else 1.0)


class Env:
    def __init__(self, tandemd: str):
        self.tandemd = os.path.abspath(tandemd) if tandemd else ""
        self.keepalived = shutil.which("keepalived") or ""
        self.dut_kind = os.environ.get("TANDEM_INTEG_DUT", "tandemd")
        self.keep_dir = os.environ.get("TANDEM_INTEG_KEEP") or None
        self.only = os.environ.get("TANDEM_INTEG_ONLY", "")
        self.tolerance = float(os.environ.get("TANDEM_INTEG_TOLERANCE_MS", "5")) / 1000
        self.tandemd_reason = self._probe_tandemd()

    def binary(self, kind: str) -> str:
        return self.tandemd if kind == "tandemd" else self.keepalived

    def _probe_tandemd(self) -> str:
        """Empty when `tandemd -n` runs a VRRP instance for a second without exiting; else why not."""
        if self.dut_kind != "tandemd":
            return ""
        if not self.tandemd or not os.access(self.tandemd, os.X_OK):
            return f"no tandemd binary at {self.tandemd or '(none given)'}"
        conf = vrrp_conf.config("probe", [vrrp_conf.Instance(state="MASTER", priority=150)])
        with netlab.Lab(["a"], keep_dir=self.keep_dir) as lab:
            d = lab.start_daemon("a", "tandemd", conf, binary=self.tandemd)
            time.sleep(1.0)
            if not d.alive():
                tail = [line for line in d.log_text().strip().splitlines() if line.strip()][-1:]
                return (f"tandemd -n exited with {d.proc.returncode} within 1 s (VRRP engine not there yet)"
                        + (f": {tail[0][:120]}" if tail else ""))
        return ""

    def missing(self, needs: tuple) -> str:
        for need in needs:
            if need == "tandemd_binary":
                if not self.tandemd or not os.access(self.tandemd, os.X_OK):
                    return f"no tandemd binary at {self.tandemd or '(none given)'}"
                continue
            kind = self.dut_kind if need == "dut" else need
            if kind == "keepalived" and not self.keepalived:
                return "keepalived is not installed"
            if kind == "tandemd" and self.tandemd_reason:
                return self.tandemd_reason
        return ""


class Ctx:
    """What a case works with: a fresh lab per `lab()` call, the daemons' kinds, and a place to report numbers."""

    def __init__(self, env: Env):
        self.env = env
        self.dut = env.dut_kind
        self.notes: list[str] = []
        self.labs: list[netlab.Lab] = []

    def lab(self, directors=("a", "b")) -> netlab.Lab:
        lab = netlab.Lab(list(directors), keep_dir=self.env.keep_dir).__enter__()
        self.labs.append(lab)
        lab.start_capture()
        return lab

    def kind(self, kind: str) -> str:
        return self.dut if kind == "dut" else kind

    def start(self, lab: netlab.Lab, name: str, kind: str, conf: str, extra: list | None = None) -> netlab.Daemon:
        kind = self.kind(kind)
        return lab.start_daemon(name, kind, conf, binary=self.env.binary(kind), extra=extra)

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"    {text}", flush=True)

    def strict(self, kind: str) -> bool:
        """Timing bounds are asserted for tandemd only; keepalived's numbers are reported."""
        return self.kind(kind) == "tandemd"

    def close(self, failed: bool) -> None:
        for lab in self.labs:
            if failed:
                for d in lab.daemons:
                    tail = d.log_text().strip().splitlines()[-15:]
                    print(f"    --- {d.kind} on {d.node.name} (exit {d.proc.poll()}), last log lines:")
                    for line in tail:
                        print(f"      {line}")
            lab.close()
        self.labs.clear()

    # ---------------------------------------------------------------- shared checks
    def wait_master(self, lab, name: str, vips: list[str], timeout: float, what: str = "") -> None:
        expect(lab.wait_until(lambda: lab.has_vips(name, vips), timeout),
               f"{what or name} did not get {vips} within {timeout:g} s (has {sorted(lab.addresses(name))})")

    def wait_released(self, lab, name: str, vips: list[str], timeout: float, what: str = "") -> None:
        expect(lab.wait_until(lambda: lab.has_none(name, vips), timeout),
               f"{what or name} still holds some of {vips} after {timeout:g} s")

    def kill9_failover(self, lab, master, *, version: int, adver_int: float, label: str, strict: bool,
                       backup: str = "b", backup_prio: int = 100, vrid: int = 51, vip: str = "192.0.2.100",
                       family: int = 4) -> float:
        """kill -9 of `master` (no priority-0 advert): the backup takes the VIP one master-down interval after the
        master's last advert. Returns the measured time."""
        old, new = master.node, lab.node(backup)
        t = master.kill9()
        down = master_down_interval(version, adver_int, backup_prio)
        self.wait_master(lab, backup, [vip], down + 3, "the backup")
        src = (lambda n: n.ipv4) if family == 4 else (lambda n: n.ll)
        return self.measure_takeover(lab, vrid=vrid, old_src=src(old), new_src=src(new), new_mac=new.mac, vip=vip,
                                     since=t - 2 * adver_int - 0.1, expected=down, label=label, strict=strict,
                                     announce="garp" if family == 4 else "na")

    def measure_takeover(self, lab, *, vrid: int, old_src: str, new_src: str, new_mac: str, vip: str, since: float,
                         expected: float, label: str, strict: bool, announce: str = "garp") -> float:
        """Time from the old master's last advert (priority > 0) to the new master's first GARP/NA for `vip`,
        read from the capture's kernel timestamps; reported, and asserted within the tolerance when strict."""
        try:
            t_last, t_new_adv, t_announce = lab.takeover(vrid=vrid, old_src=old_src, new_src=new_src, new_mac=new_mac,
                                                         vip=vip, since=since, timeout=expected + 3, announce=announce)
        except netlab.TakeoverNotSeen as e:
            raise CaseFailure(f"{label}: {e}") from None
        measured = t_announce - t_last
        err = measured - expected
        self.note(f"{label}: last advert -> first {announce.upper()} {measured * 1000:.1f} ms "
                  f"(first advert {(t_new_adv - t_last) * 1000:.1f} ms), RFC bound {expected * 1000:.1f} ms, "
                  f"error {err * 1000:+.1f} ms" + ("" if strict else " [reported only]"))
        if strict:
            expect(abs(err) <= self.env.tolerance, f"{label}: takeover error {err * 1000:+.1f} ms exceeds "
                   f"{self.env.tolerance * 1000:g} ms")
        return measured


def run_all(env: Env) -> int:
    passed = failed = skipped = 0
    t0 = time.time()
    print(f"daemon under test: {env.dut_kind}" + (f" ({env.tandemd})" if env.dut_kind == "tandemd" else ""),
          flush=True)
    if env.dut_kind == "tandemd" and env.tandemd_reason:
        print(f"note: {env.tandemd_reason}; tandemd cases are skipped "
              "(TANDEM_INTEG_DUT=keepalived runs them against keepalived to validate the harness)", flush=True)
    for name, needs, fn in CASES:
        if env.only and env.only not in name:
            continue
        reason = env.missing(needs)
        if reason:
            print(f"SKIP {name}: {reason}", flush=True)
            skipped += 1
            continue
        ctx = Ctx(env)
        start = time.time()
        ok = False
        try:
            print(f"---- {name}", flush=True)
            fn(ctx)
            ok = True
            print(f"PASS {name} ({time.time() - start:.1f} s)", flush=True)
            passed += 1
        except Skip as e:
            ok = True
            print(f"SKIP {name}: {e}", flush=True)
            skipped += 1
        except CaseFailure as e:
            print(f"FAIL {name}: {e}", flush=True)
            failed += 1
        except Exception:  # a harness error is a failure of the case, with the trace to find it
            print(f"FAIL {name}: harness error\n{traceback.format_exc()}", flush=True)
            failed += 1
        finally:
            ctx.close(failed=not ok)
    leftovers = netlab.our_namespaces()
    if leftovers:
        print(f"FAIL cleanup: namespaces left behind: {leftovers}")
        failed += 1
    print(f"{passed} passed, {failed} failed, {skipped} skipped ({time.time() - t0:.0f} s)", flush=True)
    return 1 if failed else 0


def main(case_modules: list) -> int:
    netlab.install_cleanup_handlers()
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    netlab.cleanup_stale()
    env = Env(sys.argv[1] if len(sys.argv) > 1 else "")
    _ = (case_modules, vrrp_wire)  # the case modules registered themselves on import
    return run_all(env)
