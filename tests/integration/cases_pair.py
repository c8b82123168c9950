"""Two directors on one segment: election, gratuitous ARP, failover timing, orderly stop, preemption, VRRPv3, IPv6."""
from __future__ import annotations

import time

from runner import case, expect, master_down_interval, skew_time
from vrrp_conf import Instance, config

VIP, VIP2 = "192.0.2.100", "192.0.2.101"
VIP_CIDR, VIP2_CIDR = VIP + "/24", VIP2 + "/24"


def start_pair(ctx, lab, kinds=("dut", "dut"), settle: float = 1.2, master_vips=(VIP,), **inst):
    """A (priority 150) and B (priority 100) with the same instance settings; returns both daemons once A holds
    the VIPs and B has heard it for `settle` seconds."""
    a = ctx.start(lab, "a", kinds[0], config("A", [Instance(priority=150, **inst)]))
    b = ctx.start(lab, "b", kinds[1], config("B", [Instance(priority=100, **inst)]))
    down = master_down_interval(inst.get("version", 2), inst.get("advert_int", 1), 150)
    ctx.wait_master(lab, "a", list(master_vips), down + 3, "the priority-150 node")
    time.sleep(settle)
    expect(lab.has_none("b", list(master_vips)), f"the backup holds a VIP: {sorted(lab.addresses('b'))}")
    return a, b


def check_adverts(ctx, lab, node, *, vrid, priority, version, adver_int, vips, dst="224.0.0.18", src=None,
                  count=2):
    """The master's adverts are well formed and paced at the advert interval."""
    src = src or node.ipv4
    expect(lab.wait_until(lambda: len(lab.adverts(vrid=vrid, src=src)) >= count, adver_int * (count + 2)),
           f"fewer than {count} adverts from {src} for VRID {vrid}")
    advs = [a for a in lab.adverts(vrid=vrid, src=src) if a.priority > 0]
    for a in advs:
        expect(a.ttl == 255, f"advert TTL/hop limit {a.ttl}, want 255")
        expect(a.version == version, f"advert version {a.version}, want {version}")
        expect(a.priority == priority, f"advert priority {a.priority}, want {priority}")
        expect(abs(a.adver_int - adver_int) < 1e-6, f"advert interval field {a.adver_int}, want {adver_int}")
        expect(sorted(a.addrs) == sorted(vips), f"advert addresses {a.addrs}, want {vips}")
        expect(a.checksum_ok, "advert checksum is wrong")
        expect(a.dst == dst, f"advert sent to {a.dst}, want {dst}")
        expect(a.eth_src == node.mac, f"advert from MAC {a.eth_src}, want {node.mac}")
    gaps = [b.ts - a.ts for a, b in zip(advs, advs[1:])]
    if gaps:
        worst = max(abs(g - adver_int) for g in gaps)
        ctx.note(f"advert spacing from {node.name}: {len(gaps)} gaps, worst deviation {worst * 1000:.1f} ms "
                 f"from {adver_int * 1000:.0f} ms")
        if ctx.strict("dut"):
            expect(worst <= max(0.02, adver_int * 0.1), f"advert spacing off by {worst * 1000:.1f} ms")


def check_garps(lab, node, vips, repeat):
    """Each VIP announced `repeat` times with the master's MAC as Ethernet source and ARP sender."""
    for vip in vips:
        ok = lab.wait_until(lambda v=vip: len([g for g in lab.garps(v) if g.sha == node.mac]) >= repeat, 2)
        garps = [g for g in lab.garps(vip) if g.sha == node.mac]
        expect(ok, f"{len(garps)} gratuitous ARPs for {vip} from {node.mac}, want {repeat}")
        time.sleep(0.3)  # a burst longer than configured would show now
        garps = [g for g in lab.garps(vip) if g.sha == node.mac]
        expect(len(garps) == repeat, f"{len(garps)} gratuitous ARPs for {vip}, want garp_master_repeat={repeat}")
        expect(all(g.eth_src == node.mac for g in garps), "GARP Ethernet source is not the master's MAC")


@case("keepalived_pair_selftest", needs=("keepalived",))
def keepalived_pair_selftest(ctx):
    """The harness against two real keepalived nodes: election, GARP, kill -9 failover timing (reported)."""
    lab = ctx.lab()
    a = ctx.start(lab, "a", "keepalived", config("A", [Instance(priority=150)]))
    ctx.start(lab, "b", "keepalived", config("B", [Instance(priority=100)]))
    ctx.wait_master(lab, "a", [VIP], 6)
    expect(lab.has_none("b", [VIP]), "VIP on the backup too")
    check_garps(lab, lab.nodes["a"], [VIP], 3)
    time.sleep(1.2)
    ctx.kill9_failover(lab, a, version=2, adver_int=1, label="keepalived kill -9 failover", strict=False)


@case("election_vips_garp")
def election_vips_garp(ctx):
    lab = ctx.lab()
    vips = [VIP_CIDR, VIP2_CIDR]
    ctx.start(lab, "a", "dut", config("A", [Instance(priority=150, vips=vips)]))
    ctx.start(lab, "b", "dut", config("B", [Instance(priority=100, vips=vips)]))
    ctx.wait_master(lab, "a", [VIP, VIP2], 6, "the priority-150 node")
    a, b = lab.nodes["a"], lab.nodes["b"]
    check_garps(lab, a, [VIP, VIP2], 3)
    check_adverts(ctx, lab, a, vrid=51, priority=150, version=2, adver_int=1, vips=[VIP, VIP2], count=3)
    expect(lab.has_none("b", [VIP, VIP2]), f"the backup holds a VIP: {sorted(lab.addresses('b'))}")
    expect(not lab.adverts(vrid=51, src=b.ipv4), "the priority-100 node sent adverts (it should stay BACKUP)")


@case("many_instances_steady")
def many_instances_steady(ctx):
    """100 instances on each director: the master keeps every one of them advertising once a second (adverts of
    instances due together may leave up to 1/64 of the interval early, in one batch), the backup takes none over."""
    lab = ctx.lab()
    n = 100
    def instances(priority):
        return [Instance(name=f"VI_{i}", vrid=i, priority=priority, vips=[f"198.51.100.{i}/32"], garp_master_repeat=1)
                for i in range(1, n + 1)]
    vips = [f"198.51.100.{i}" for i in range(1, n + 1)]
    ctx.start(lab, "a", "dut", config("A", instances(150)))
    ctx.start(lab, "b", "dut", config("B", instances(100)))
    ctx.wait_master(lab, "a", vips, master_down_interval(2, 1, 150) + 5, "the priority-150 node")
    a, b = lab.nodes["a"], lab.nodes["b"]
    t0 = time.time()
    time.sleep(8)
    expect(lab.has_none("b", vips), f"the backup took over some instances: {sorted(lab.addresses('b'))}")
    expect(not lab.adverts(src=b.ipv4, since=t0), "the priority-100 node sent adverts")
    window = [p for p in lab.adverts(src=a.ipv4, since=t0) if p.ts < t0 + 8]
    by_vrid = {v: sorted(p.ts for p in window if p.vrid == v) for v in range(1, n + 1)}
    counts = sorted(len(ts) for ts in by_vrid.values())
    gaps = [y - x for ts in by_vrid.values() for x, y in zip(ts, ts[1:])]
    ctx.note(f"adverts per instance in 8 s: {counts[0]}..{counts[-1]}; gaps {min(gaps) * 1000:.1f}.."
             f"{max(gaps) * 1000:.1f} ms")
    expect(counts[0] >= 7 and counts[-1] <= 9, f"adverts per instance in 8 s: {counts[0]}..{counts[-1]}, want 7..9")
    if ctx.strict("dut"):
        expect(min(gaps) >= 1 - 1 / 64 - 0.005 and max(gaps) <= 1 + 0.02,
               f"advert gaps {min(gaps) * 1000:.1f}..{max(gaps) * 1000:.1f} ms, want 984..1020")


@case("failover_kill9")
def failover_kill9(ctx):
    lab = ctx.lab()
    a, _ = start_pair(ctx, lab)
    ctx.kill9_failover(lab, a, version=2, adver_int=1, label="kill -9 failover (v2, 1 s)", strict=ctx.strict("dut"))
    check_garps(lab, lab.nodes["b"], [VIP], 3)


@case("sigterm_priority_zero")
def sigterm_priority_zero(ctx):
    lab = ctx.lab()
    a, _ = start_pair(ctx, lab)
    t = a.terminate()
    na, nb = lab.nodes["a"], lab.nodes["b"]
    zero = lambda: [x for x in lab.adverts(vrid=51, src=na.ipv4, since=t - 0.1) if x.priority == 0]  # noqa: E731
    expect(lab.wait_until(lambda: bool(zero()), 3), "no priority-0 advert after SIGTERM")
    expect(a.wait(5), "the daemon did not exit after SIGTERM")
    ctx.wait_master(lab, "b", [VIP], 3, "the backup")
    ctx.wait_released(lab, "a", [VIP], 1, "the stopped master")
    t0 = zero()[0].ts
    garps = [g.ts for g in lab.garps(VIP, since=t0) if g.sha == nb.mac]
    expect(garps, "no GARP from the new master")
    skew = skew_time(2, 1, 100)
    err = garps[0] - t0 - skew
    ctx.note(f"priority-0 advert -> first GARP {(garps[0] - t0) * 1000:.1f} ms, skew time {skew * 1000:.1f} ms, "
             f"error {err * 1000:+.1f} ms" + ("" if ctx.strict("dut") else " [reported only]"))
    if ctx.strict("dut"):
        expect(abs(err) <= ctx.env.tolerance, f"takeover after priority 0 off by {err * 1000:+.1f} ms")


@case("sigterm_dont_release_V")
def sigterm_dont_release_v(ctx):
    lab = ctx.lab()
    a = ctx.start(lab, "a", "dut", config("A", [Instance(priority=150)]), extra=["-V"])
    ctx.start(lab, "b", "dut", config("B", [Instance(priority=100)]))
    ctx.wait_master(lab, "a", [VIP], 6)
    time.sleep(1.2)
    t = a.terminate()
    expect(a.wait(5), "the daemon did not exit after SIGTERM")
    expect(lab.has_vips("a", [VIP]), "-V: the stopped master removed its VIP")
    # keepalived 2.2.7 sends no priority-0 advert under -V either: the backup waits out its master-down timer.
    ctx.wait_master(lab, "b", [VIP], master_down_interval(2, 1, 100) + 1.5, "the backup")
    zero = [x for x in lab.adverts(vrid=51, src=lab.nodes["a"].ipv4, since=t - 0.1) if x.priority == 0]
    ctx.note(f"-V stop: {'a' if zero else 'no'} priority-0 advert (keepalived 2.2.7 sends none)")


@case("preempt_back")
def preempt_back(ctx):
    lab = ctx.lab()
    conf_a = config("A", [Instance(priority=150)])
    ctx.start(lab, "b", "dut", config("B", [Instance(priority=100, state="MASTER")]))
    ctx.wait_master(lab, "b", [VIP], 6, "the first node up")
    a = ctx.start(lab, "a", "dut", conf_a)
    ctx.wait_master(lab, "a", [VIP], 6, "the higher priority node")
    ctx.wait_released(lab, "b", [VIP], 2, "the lower priority node")
    a.terminate()
    ctx.wait_master(lab, "b", [VIP], 3, "the backup")
    a2 = ctx.start(lab, "a", "dut", conf_a)
    ctx.wait_master(lab, "a", [VIP], 6, "the restarted higher priority node")
    ctx.wait_released(lab, "b", [VIP], 2, "the lower priority node")
    first = [x.ts for x in lab.adverts(vrid=51, src=lab.nodes["a"].ipv4, since=a2.started) if x.priority > 0]
    expected = master_down_interval(2, 1, 150)
    ctx.note(f"restart -> preempting advert {(first[0] - a2.started) * 1000:.0f} ms "
             f"(master-down interval {expected * 1000:.0f} ms, plus process start)")


@case("nopreempt")
def nopreempt(ctx):
    lab = ctx.lab()
    ctx.start(lab, "b", "dut", config("B", [Instance(priority=100, nopreempt=True)]))
    ctx.wait_master(lab, "b", [VIP], 6, "the only node")
    a = ctx.start(lab, "a", "dut", config("A", [Instance(priority=150, nopreempt=True)]))
    time.sleep(master_down_interval(2, 1, 150) + 1.5)
    expect(a.alive(), "the higher priority node exited")
    expect(lab.has_none("a", [VIP]), "nopreempt: the higher priority node took the VIP")
    expect(lab.has_vips("b", [VIP]), "nopreempt: the master lost its VIP")
    expect(not [x for x in lab.adverts(vrid=51, src=lab.nodes["a"].ipv4) if x.priority > 0],
           "nopreempt: the higher priority node advertised")


@case("preempt_delay")
def preempt_delay(ctx):
    delay = 3.0
    lab = ctx.lab()
    ctx.start(lab, "b", "dut", config("B", [Instance(priority=100, state="MASTER")]))
    ctx.wait_master(lab, "b", [VIP], 6, "the only node")
    a = ctx.start(lab, "a", "dut", config("A", [Instance(priority=150, preempt_delay=delay)]))
    down = master_down_interval(2, 1, 150)
    ctx.wait_master(lab, "a", [VIP], delay + down + 3, "the higher priority node")
    first = [x.ts for x in lab.adverts(vrid=51, src=lab.nodes["a"].ipv4) if x.priority > 0][0]
    took = first - a.started
    # The delay starts at the first advert heard from the lower priority master, which comes up to one advert
    # interval after start (keepalived starts it there too). Its adverts are accepted until the delay is over; the
    # master-down timer armed by the last of them then runs out. So preemption lands between delay + down - 1
    # advert and delay + down + 1 advert, plus the process start.
    low, high = delay + down - 1.0 - 0.1, delay + down + 1.0 + 0.5
    ctx.note(f"preempt_delay {delay:g} s: took over {took:.2f} s after start (expected {low:.2f}..{high:.2f} s)")
    expect(low <= took <= high, f"preempted {took:.2f} s after start, outside {low:.2f}..{high:.2f} s")


@case("vrrpv3_fast_failover")
def vrrpv3_fast_failover(ctx):
    lab = ctx.lab()
    a, _ = start_pair(ctx, lab, settle=0.3, version=3, advert_int=0.1)
    check_adverts(ctx, lab, lab.nodes["a"], vrid=51, priority=150, version=3, adver_int=0.1, vips=[VIP], count=10)
    ctx.kill9_failover(lab, a, version=3, adver_int=0.1, label="kill -9 failover (v3, 100 ms)",
                       strict=ctx.strict("dut"))


@case("ipv6_unsolicited_na")
def ipv6_unsolicited_na(ctx):
    vips = ["fe80::100/64", "2001:db8::100/64"]
    adv = 0.5
    lab = ctx.lab()
    na_ = lab.nodes["a"]
    a = ctx.start(lab, "a", "dut", config("A", [Instance(vrid=61, priority=150, state="MASTER", version=3,
                                                         advert_int=adv, vips=vips)]))
    ctx.start(lab, "b", "dut", config("B", [Instance(vrid=61, priority=100, version=3, advert_int=adv, vips=vips)]))
    ctx.wait_master(lab, "a", ["2001:db8::100", "fe80::100"], 4)
    expect(lab.has_none("b", ["2001:db8::100"]), "IPv6 VIP on the backup too")
    check_adverts(ctx, lab, na_, vrid=61, priority=150, version=3, adver_int=adv, src=na_.ll, dst="ff02::12",
                  vips=["fe80::100", "2001:db8::100"], count=3)
    nas = [p for p in lab.neighbor_adverts("2001:db8::100") if p.eth_src == na_.mac]
    expect(nas, "no unsolicited NA for 2001:db8::100 from the master")
    expect(all(p.tlla == na_.mac for p in nas), f"NA target link-layer address {nas[0].tlla}, want {na_.mac}")
    ctx.note(f"{len(nas)} unsolicited NA(s) for 2001:db8::100 from {na_.mac} (override={nas[0].override})")
    ctx.kill9_failover(lab, a, version=3, adver_int=adv, vrid=61, vip="2001:db8::100", family=6,
                       label="kill -9 failover (v3 IPv6, 500 ms)", strict=ctx.strict("dut"))


@case("state_master_start")
def state_master_start(ctx):
    """`state MASTER` below priority 255 joining a running lower-priority master: keepalived 2.2.7 starts it in
    BACKUP and it preempts when its master-down timer runs out, not at once."""
    lab = ctx.lab()
    ctx.start(lab, "b", "dut", config("B", [Instance(priority=100)]))
    ctx.wait_master(lab, "b", [VIP], 6, "the only node")
    a = ctx.start(lab, "a", "dut", config("A", [Instance(priority=150, state="MASTER")]))
    down = master_down_interval(2, 1, 150)
    ctx.wait_master(lab, "a", [VIP], down + 3, "the state MASTER node")
    first = [x.ts for x in lab.adverts(vrid=51, src=lab.nodes["a"].ipv4) if x.priority > 0][0]
    took = first - a.started
    ctx.note(f"state MASTER, priority 150: first advert {took:.2f} s after start (master-down interval {down:.2f} s)")
    expect(down - 0.2 <= took <= down + 0.5, f"took over {took:.2f} s after start, keepalived waits the master-down "
           f"interval ({down:.2f} s)")
