"""Unicast peers, sync groups, and priority changes from track_script and track_interface."""
from __future__ import annotations

import os
import time

from cases_pair import VIP, VIP2
from runner import case, expect, master_down_interval
from vrrp_conf import Instance, Script, config


@case("unicast_peers")
def unicast_peers(ctx):
    lab = ctx.lab()
    na, nb = lab.nodes["a"], lab.nodes["b"]
    a = ctx.start(lab, "a", "dut", config("A", [Instance(priority=150, unicast_src=na.ipv4,
                                                         unicast_peers=[nb.ipv4])]))
    ctx.start(lab, "b", "dut", config("B", [Instance(priority=100, unicast_src=nb.ipv4, unicast_peers=[na.ipv4])]))
    ctx.wait_master(lab, "a", [VIP], 6)
    time.sleep(1.2)
    expect(lab.has_none("b", [VIP]), "VIP on the backup too")
    advs = lab.adverts(vrid=51, src=na.ipv4)
    expect(advs, "no adverts from the master")
    expect(all(x.dst == nb.ipv4 for x in advs), f"adverts not sent to the unicast peer: {sorted({x.dst for x in advs})}")
    ctx.kill9_failover(lab, a, version=2, adver_int=1, label="unicast kill -9 failover", strict=ctx.strict("dut"))
    expect(all(x.dst == na.ipv4 for x in lab.adverts(vrid=51, src=nb.ipv4)), "the new master's adverts not unicast")


@case("sync_group_moves_together")
def sync_group_moves_together(ctx):
    """An interface fault on one member takes the whole group to the backup, and back when it clears."""
    lab = ctx.lab()
    lab.add_spare_link("a", "trk0")

    def conf(name, prio, track):
        return config(name, [Instance(name="VI_1", vrid=51, priority=prio, vips=[VIP + "/24"]),
                             Instance(name="VI_2", vrid=52, priority=prio, vips=[VIP2 + "/24"],
                                      track_interfaces=["trk0"] if track else [])],
                      sync_groups={"G1": ["VI_1", "VI_2"]})
    ctx.start(lab, "a", "dut", conf("A", 150, True))
    ctx.start(lab, "b", "dut", conf("B", 100, False))
    ctx.wait_master(lab, "a", [VIP, VIP2], 6, "the priority-150 node")
    time.sleep(1.2)
    expect(lab.has_none("b", [VIP, VIP2]), "the backup holds a VIP")
    lab.set_link("a", "trk0", False)
    ctx.wait_master(lab, "b", [VIP, VIP2], 6, "the backup (both instances)")
    ctx.wait_released(lab, "a", [VIP, VIP2], 2, "the faulted node (both instances)")
    lab.set_link("a", "trk0", True)
    ctx.wait_master(lab, "a", [VIP, VIP2], master_down_interval(2, 1, 150) + 4, "the recovered node (both)")
    ctx.wait_released(lab, "b", [VIP, VIP2], 2, "the backup after recovery")


def start_tracked(ctx, lab, scripts=(), **tracking) -> None:
    """A at 150 with the given tracking, B at 100; returns once A is master and B has heard it."""
    ctx.start(lab, "a", "dut", config("A", [Instance(priority=150, **tracking)], scripts=list(scripts)))
    ctx.start(lab, "b", "dut", config("B", [Instance(priority=100)]))
    ctx.wait_master(lab, "a", [VIP], 6)
    time.sleep(1.2)


def check_weight_failover(ctx, lab, fail, recover):
    """A at 150 drops to 90 below B's 100 when the tracked thing fails: its adverts say 90 and B preempts; when it
    recovers A preempts back."""
    na = lab.nodes["a"]
    fail()
    low = lambda: [x for x in lab.adverts(vrid=51, src=na.ipv4) if x.priority == 90]  # noqa: E731
    expect(lab.wait_until(lambda: bool(low()), 4), "no advert at priority 90 after the tracked failure")
    ctx.wait_master(lab, "b", [VIP], master_down_interval(2, 1, 100) + 2, "the backup")
    ctx.wait_released(lab, "a", [VIP], 2, "the demoted node")
    recover()
    ctx.wait_master(lab, "a", [VIP], master_down_interval(2, 1, 150) + 4, "the recovered node")
    ctx.wait_released(lab, "b", [VIP], 2, "the backup after recovery")


@case("track_script_weight")
def track_script_weight(ctx):
    lab = ctx.lab()
    flag = os.path.join(lab.tmp, "healthy")
    open(flag, "w").close()
    script = Script("chk_flag", f"/usr/bin/test -e {flag}", interval=1, weight=-60)
    start_tracked(ctx, lab, scripts=[script], track_scripts=["chk_flag"])
    check_weight_failover(ctx, lab, lambda: os.unlink(flag), lambda: open(flag, "w").close())


@case("track_interface_weight")
def track_interface_weight(ctx):
    lab = ctx.lab()
    lab.add_spare_link("a", "trk0")
    start_tracked(ctx, lab, track_interfaces=["trk0 weight -60"])
    check_weight_failover(ctx, lab, lambda: lab.set_link("a", "trk0", False), lambda: lab.set_link("a", "trk0", True))


@case("track_interface_fault")
def track_interface_fault(ctx):
    """Without a weight, a tracked interface going down is a FAULT: the master gives up at once (priority 0)."""
    lab = ctx.lab()
    lab.add_spare_link("a", "trk0")
    start_tracked(ctx, lab, track_interfaces=["trk0"])
    t = time.time()
    lab.set_link("a", "trk0", False)
    ctx.wait_released(lab, "a", [VIP], 2, "the faulted master")
    ctx.wait_master(lab, "b", [VIP], 3, "the backup")
    zero = [x for x in lab.adverts(vrid=51, src=lab.nodes["a"].ipv4, since=t) if x.priority == 0]
    ctx.note(f"FAULT: {'a priority-0 advert' if zero else 'no priority-0 advert'} on entering FAULT, backup took "
             f"over {lab.adverts(vrid=51, src=lab.nodes['b'].ipv4)[0].ts - t:.2f} s after the link went down")
    expect(zero, "no priority-0 advert when the master entered FAULT")


def generated_configs(lab) -> dict:
    """One of each configuration shape the suite feeds the daemons."""
    na, nb = lab.nodes["a"], lab.nodes["b"]
    from cases_interop import FLAVOURS
    out = {f"interop {label}": config("A", [Instance(priority=150, **inst)]) for label, inst in FLAVOURS}
    out["unicast"] = config("A", [Instance(unicast_src=na.ipv4, unicast_peers=[nb.ipv4])])
    out["sync group + track_interface"] = config(
        "A", [Instance(name="VI_1"), Instance(name="VI_2", vrid=52, vips=[VIP2 + "/24"], track_interfaces=["trk0"])],
        sync_groups={"G1": ["VI_1", "VI_2"]})
    out["track_script"] = config("A", [Instance(track_scripts=["chk_flag"])],
                                 scripts=[Script("chk_flag", "/usr/bin/test -e /nonexistent", weight=-60)])
    out["track_interface weight"] = config("A", [Instance(track_interfaces=["trk0 weight -60"])])
    out["nopreempt"] = config("A", [Instance(nopreempt=True)])
    out["preempt_delay"] = config("A", [Instance(preempt_delay=3)])
    out["IPv6 v3"] = config("A", [Instance(vrid=61, version=3, advert_int=0.5,
                                           vips=["fe80::100/64", "2001:db8::100/64"])])
    return out


@case("generated_configs_valid", needs=("tandemd_binary", "keepalived"))
def generated_configs_valid(ctx):
    """Every configuration shape the suite uses passes `tandemd -t` and `keepalived -t` (run inside a director, so
    interface names resolve), which also keeps the templates honest while tandemd cannot run VRRP yet."""
    lab = ctx.lab()
    lab.add_spare_link("a", "trk0")
    for label, text in generated_configs(lab).items():
        path = os.path.join(lab.tmp, "check.conf")
        with open(path, "w") as f:
            f.write(text)
        for kind, binary in (("tandemd", ctx.env.tandemd), ("keepalived", ctx.env.keepalived)):
            p = lab.exec("a", binary, "-t", "-l", "-f", path, check=False)
            expect(p.returncode == 0, f"{kind} -t rejects the {label} configuration ({p.returncode}): "
                   f"{(p.stdout + p.stderr).strip()[-400:]}")
    ctx.note(f"{len(generated_configs(lab))} configuration shapes accepted by tandemd -t and keepalived -t")
