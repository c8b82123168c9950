#!/usr/bin/env python3
"""The live part of scripts/demo.sh: the two demo directors in network namespaces on one segment, the VIP on the
master, the master killed, the backup taking over, and the failover time measured on the wire.

Usage: demo_live.py PATH/TO/tandemd CONF_A CONF_B   (root). When tandemd cannot run VRRP yet, the same scenario
runs with keepalived as a clearly labelled stand-in, if it is installed.
"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import netlab  # noqa: E402
import runner  # noqa: E402

VIP = "192.0.2.100"


def say(text: str = "") -> None:
    print(text, flush=True)


def main() -> int:
    tandemd, conf_a, conf_b = (os.path.abspath(p) for p in sys.argv[1:4])
    netlab.install_cleanup_handlers()
    netlab.cleanup_stale()
    env = runner.Env(tandemd)
    kind, binary = "tandemd", tandemd
    if env.tandemd_reason:
        if not env.keepalived:
            say(f"note: {env.tandemd_reason}; keepalived is not installed either, so the live part is skipped.")
            return 0
        say(f"note: {env.tandemd_reason}.")
        say("      Showing the same scenario with keepalived as a stand-in; it will be tandemd once it can.")
        kind, binary = "keepalived", env.keepalived
    with open(conf_a) as f:
        text_a = f.read()
    with open(conf_b) as f:
        text_b = f.read()
    with netlab.Lab(["a", "b"]) as lab:
        na, nb = lab.nodes["a"], lab.nodes["b"]
        lab.start_capture()
        say(f"== segment: director A {na.ipv4} ({na.mac}) and B {nb.ipv4} ({nb.mac}) in namespaces {na.ns}, {nb.ns};"
            f" an observer captures on the same hub")
        a = lab.start_daemon("a", kind, text_a, binary=binary, extra=["-P"])
        lab.start_daemon("b", kind, text_b, binary=binary, extra=["-P"])
        say(f"== {kind} started on both (VRRP only): A priority 150, B priority 100")
        if not lab.wait_until(lambda: lab.has_vips("a", [VIP]), 8):
            say(f"A did not become master; A has {sorted(lab.addresses('a'))}")
            return 1
        time.sleep(2.2)
        adverts = lab.adverts(vrid=51, src=na.ipv4)
        say(f"   A is MASTER: {VIP} on A's eth0: {lab.has_vips('a', [VIP])}, on B's: {lab.has_vips('b', [VIP])}")
        say(f"   on the wire: {len(adverts)} adverts from A (priority {adverts[-1].priority}, every "
            f"{adverts[-1].adver_int:g} s), {len([g for g in lab.garps(VIP) if g.sha == na.mac])} gratuitous ARPs for {VIP} from {na.mac}")
        say("== kill -9 director A (no goodbye advert)")
        t = a.kill9()
        if not lab.wait_until(lambda: lab.has_vips("b", [VIP]), 8):
            say("B did not take over")
            return 1
        t_last, t_adv, t_garp = lab.takeover(vrid=51, old_src=na.ipv4, new_src=nb.ipv4, new_mac=nb.mac, vip=VIP,
                                             since=t - 2.5, timeout=3)
        bound = runner.master_down_interval(2, 1, 100)
        say(f"   B is MASTER: {VIP} on B's eth0: {lab.has_vips('b', [VIP])}")
        say(f"   failover, measured on the wire (kernel timestamps):")
        say(f"     A's last advert -> B's first advert        {(t_adv - t_last) * 1000:8.1f} ms")
        say(f"     A's last advert -> B's first GARP          {(t_garp - t_last) * 1000:8.1f} ms")
        say(f"     RFC 3768 master-down interval (3 x 1 s + (256 - 100)/256 s) {bound * 1000:.1f} ms")
        lab.del_addresses("a", [VIP + "/24"])
        say("== director A comes back")
        a2 = lab.start_daemon("a", kind, text_a, binary=binary, extra=["-P"])
        if lab.wait_until(lambda: lab.has_vips("a", [VIP]) and lab.has_none("b", [VIP]), 8):
            first = [x.ts for x in lab.adverts(vrid=51, src=na.ipv4, since=a2.started) if x.priority > 0]
            say(f"   A preempted {first[0] - a2.started:.2f} s after its start; B is BACKUP again")
        else:
            say("   A did not take the VIP back")
            return 1
    say("== namespaces removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
