"""Interoperability with the real keepalived on one segment: the right node wins whichever daemon it runs, the
backup takes over when the master is killed, and the restarted master preempts back (so the takeover is exercised
in both directions between the two implementations)."""
from __future__ import annotations

from cases_pair import VIP, start_pair
from runner import case, expect, master_down_interval
from vrrp_conf import Instance, config

FLAVOURS = [
    ("v2", dict(version=2, advert_int=1)),
    ("v3_100ms", dict(version=3, advert_int=0.1)),
    ("v2_pass", dict(version=2, advert_int=1, auth_type="PASS", auth_pass="s3cret")),
    ("v2_ah", dict(version=2, advert_int=1, auth_type="AH", auth_pass="s3cret")),
]


def interop(ctx, master_kind: str, backup_kind: str, inst: dict) -> None:
    lab = ctx.lab()
    version, adv = inst["version"], inst["advert_int"]
    a, _ = start_pair(ctx, lab, kinds=(master_kind, backup_kind), settle=max(1.2, 3 * adv), **inst)
    na = lab.nodes["a"]
    advs = [x for x in lab.adverts(vrid=51, src=na.ipv4) if x.priority == 150]
    expect(advs and all(x.version == version for x in advs), f"the master's adverts are not VRRPv{version}")
    ctx.kill9_failover(lab, a, version=version, adver_int=adv, strict=ctx.strict(backup_kind),
                       label=f"{ctx.kind(master_kind)} killed, {ctx.kind(backup_kind)} takes over")
    lab.del_addresses("a", [VIP + "/24"])  # as after a reboot
    a2 = ctx.start(lab, "a", master_kind, config("A", [Instance(priority=150, **inst)]))
    ctx.wait_master(lab, "a", [VIP], master_down_interval(version, adv, 150) + 3, "the restarted master")
    ctx.wait_released(lab, "b", [VIP], 2, "the backup, after the higher priority node came back")
    first = [x.ts for x in lab.adverts(vrid=51, src=na.ipv4, since=a2.started) if x.priority == 150]
    ctx.note(f"restarted master preempted {first[0] - a2.started:.2f} s after its start "
             f"(master-down interval {master_down_interval(version, adv, 150):.2f} s)")


def _register(label: str, inst: dict, master_kind: str, backup_kind: str) -> None:
    name = f"interop_{label}_{'keepalived' if master_kind == 'keepalived' else 'tandemd'}_master"
    case(name, needs=("dut", "keepalived"))(lambda ctx: interop(ctx, master_kind, backup_kind, inst))


for _label, _inst in FLAVOURS:
    _register(_label, _inst, "keepalived", "dut")
    _register(_label, _inst, "dut", "keepalived")
