"""Authentication and hostile input: PASS and IPsec AH between peers, and forged adverts from the observer that a
backup must ignore. Each forged advert carries priority 0 from the master's address: accepted, it would make the
backup take over after its skew time, so "no advert from the backup" proves it was dropped. A well-formed forged
advert closes each case, to prove the forgery itself reaches the backup."""
from __future__ import annotations

import time

from cases_pair import start_pair
from runner import case, expect, skew_time
from vrrp_wire import AUTH_AH, AUTH_PASS, forged_advert4

VIP = "192.0.2.100"


def right_after_master_advert(lab) -> None:
    """Forged priority 0 must land early in the master's advert interval: accepted, the backup's skew timer then
    runs out before the master's next advert could reset it."""
    src = lab.nodes["a"].ipv4
    seen = len(lab.adverts(vrid=51, src=src))
    expect(lab.wait_until(lambda: len(lab.adverts(vrid=51, src=src)) > seen, 2, interval=0.005),
           "the master stopped advertising")


def expect_ignored(ctx, lab, label: str, frames: list, settle: float = None) -> None:
    """Sends `frames` (each three times) and checks that the backup neither advertised nor took the VIP."""
    right_after_master_advert(lab)
    since = time.time()
    lab.send([f for f in frames for _ in range(3)], interval=0.05)
    time.sleep(settle if settle is not None else skew_time(2, 1, 100) + 0.6)
    nb = lab.nodes["b"]
    sent = [x for x in lab.adverts(vrid=51, src=nb.ipv4, since=since) if x.priority > 0]
    expect(not sent, f"{label}: the backup advertised after the forged adverts (it accepted them)")
    expect(lab.has_none("b", [VIP]), f"{label}: the backup took the VIP")
    ctx.note(f"{label}: ignored")


def expect_accepted(ctx, lab, label: str, frame: bytes) -> None:
    """The control: a well-formed priority-0 advert makes the backup take over after its skew time."""
    right_after_master_advert(lab)
    since = time.time()
    lab.send([frame])
    nb = lab.nodes["b"]
    ok = lab.wait_until(lambda: bool([x for x in lab.adverts(vrid=51, src=nb.ipv4, since=since) if x.priority]), 2)
    expect(ok, f"{label}: a well-formed forged priority-0 advert did not make the backup take over "
               "(so the ignored cases prove nothing)")
    ctx.note(f"{label}: accepted (control)")


@case("auth_pass")
def auth_pass(ctx):
    lab = ctx.lab()
    start_pair(ctx, lab, auth_type="PASS", auth_pass="secret")
    na = lab.nodes["a"]
    advs = lab.adverts(vrid=51, src=na.ipv4)
    expect(advs and all(x.auth_type == AUTH_PASS and x.auth_data.rstrip(b"\0") == b"secret" for x in advs),
           f"adverts do not carry PASS 'secret': {[(x.auth_type, x.auth_data) for x in advs[:2]]}")
    forge = dict(src_mac=na.mac, src=na.ipv4, vrid=51, priority=0, addrs=[VIP], auth_type=AUTH_PASS)
    expect_ignored(ctx, lab, "PASS mismatch", [forged_advert4(**forge, auth_pass="wrong")])
    expect_ignored(ctx, lab, "no authentication on a PASS instance",
                   [forged_advert4(**{**forge, "auth_type": 0})])
    expect_accepted(ctx, lab, "PASS match", forged_advert4(**forge, auth_pass="secret"))


@case("auth_ah")
def auth_ah(ctx):
    lab = ctx.lab()
    a, _ = start_pair(ctx, lab, auth_type="AH", auth_pass="secret")
    na, nb = lab.nodes["a"], lab.nodes["b"]
    advs = lab.adverts(vrid=51, src=na.ipv4)
    expect(advs and all(x.ah and x.auth_type == AUTH_AH for x in advs), "adverts are not in an IPsec AH header")
    forge = dict(src_mac=na.mac, src=na.ipv4, vrid=51, priority=0, addrs=[VIP], auth_type=AUTH_AH)
    expect_ignored(ctx, lab, "AH with a wrong ICV", [forged_advert4(**forge, ah_seq=1 << 30)])
    expect_ignored(ctx, lab, "plain advert on an AH instance", [forged_advert4(**{**forge, "auth_type": 0})])
    t = time.time()
    ctx.kill9_failover(lab, a, version=2, adver_int=1, label="AH kill -9 failover", strict=ctx.strict("dut"))
    b_advs = lab.adverts(vrid=51, src=nb.ipv4, since=t)
    expect(all(x.ah for x in b_advs), "the new master's adverts are not in AH")


@case("forged_adverts_ignored")
def forged_adverts_ignored(ctx):
    lab = ctx.lab()
    start_pair(ctx, lab)
    na = lab.nodes["a"]
    forge = dict(src_mac=na.mac, src=na.ipv4, vrid=51, priority=0, addrs=[VIP])
    expect_ignored(ctx, lab, "TTL 64", [forged_advert4(**forge, ttl=64)])
    expect_ignored(ctx, lab, "bad checksum", [forged_advert4(**forge, bad_checksum=True)])
    expect_ignored(ctx, lab, "wrong VRID", [forged_advert4(**{**forge, "vrid": 52})])
    expect_ignored(ctx, lab, "truncated (auth data cut)", [forged_advert4(**forge, truncate=8)])
    expect_ignored(ctx, lab, "truncated (header only)", [forged_advert4(**forge, truncate=12)])
    expect_ignored(ctx, lab, "VRRPv3 to a v2 instance", [forged_advert4(**forge, version=3)])
    expect_ignored(ctx, lab, "PASS on an unauthenticated instance",
                   [forged_advert4(**forge, auth_type=AUTH_PASS, auth_pass="secret")])
    expect_ignored(ctx, lab, "wrong advert interval", [forged_advert4(**forge, adver_int=2)])
    expect_accepted(ctx, lab, "well-formed", forged_advert4(**forge))
