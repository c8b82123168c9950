"""SIGHUP while MASTER: what a reload may and may not do to the VIPs, seen by a netlink monitor on the master and by
the observer's capture on the segment."""
from __future__ import annotations

import signal
import subprocess
import time

from cases_pair import VIP, VIP2, start_pair
from runner import case, expect
from vrrp_conf import Instance, config

VIP3 = "192.0.2.102"


class AddressMonitor:
    """`ip monitor address` in a node's namespace: every address added or deleted, with its time."""

    def __init__(self, lab, node: str):
        self.proc = subprocess.Popen(["ip", "-n", lab.nodes[node].ns, "-o", "monitor", "address"],
                                     stdout=subprocess.PIPE, text=True)
        time.sleep(0.3)  # subscribed before anything happens

    def events(self) -> list[str]:
        self.proc.terminate()
        return self.proc.communicate(timeout=5)[0].splitlines()


def touching(events: list[str], address: str) -> list[str]:
    return [e for e in events if f" {address}/" in e]


def rewrite(daemon, text: str) -> None:
    with open(daemon.conf, "w") as f:
        f.write(text)


def sighup_and_wait(daemon, settle: float) -> float:
    t = time.time()
    daemon.proc.send_signal(signal.SIGHUP)
    time.sleep(settle)
    return t


@case("reload_while_master_keeps_vips")
def reload_while_master_keeps_vips(ctx):
    """SIGHUP with the same file, then with VI_1's VIP list changed (VIP2 dropped, VIP3 added) and a new instance:
    the unchanged VIP is never deleted or re-added, the master never stops advertising nor resigns (no priority 0),
    the backup never takes over; only VIP2 goes and only VIP3 (and the new instance's VIP) come."""
    lab = ctx.lab()
    vips = [VIP + "/24", VIP2 + "/24"]
    a, b = start_pair(ctx, lab, master_vips=(VIP, VIP2), vips=vips)
    na, nb = lab.nodes["a"], lab.nodes["b"]
    monitor = AddressMonitor(lab, "a")
    since = time.time()

    sighup_and_wait(a, 2.5)
    same = monitor.events()
    expect(not same, f"SIGHUP with an unchanged file: the master's addresses moved: {same}")
    expect(lab.has_vips("a", [VIP, VIP2]), "a VIP is gone after an unchanged reload")

    # Both directors get the new file, as an operator deploys it (the backup too, or it would drop the master's
    # adverts for listing other addresses).
    monitor = AddressMonitor(lab, "a")
    for daemon, name, priority in ((a, "A", 150), (b, "B", 100)):
        rewrite(daemon, config(name, [Instance(priority=priority, vips=[VIP + "/24", VIP3 + "/24"]),
                                      Instance(name="VI_2", vrid=52, priority=priority, vips=["192.0.2.110/24"])]))
    b.proc.send_signal(signal.SIGHUP)
    t_change = sighup_and_wait(a, 4.5)
    events = monitor.events()
    expect(not touching(events, VIP), f"the unchanged VIP was touched by the reload: {touching(events, VIP)}")
    expect(any(e.startswith("Deleted") for e in touching(events, VIP2)), f"VIP2 was not removed: {events}")
    expect(any(not e.startswith("Deleted") for e in touching(events, VIP3)), f"VIP3 was not added: {events}")
    expect(lab.has_vips("a", [VIP, VIP3, "192.0.2.110"]) and lab.has_none("a", [VIP2]),
           f"after the reload the master holds {sorted(lab.addresses('a'))}")

    adverts = [x for x in lab.adverts(vrid=51, src=na.ipv4, since=since)]
    expect(all(x.priority == 150 for x in adverts), "the master sent a priority-0 advert across the reloads")
    gaps = [y.ts - x.ts for x, y in zip(adverts, adverts[1:])]
    expect(gaps and max(gaps) < 1.5, f"the master's adverts paused across the reloads (longest gap {max(gaps):.2f} s)")
    expect(sorted(adverts[-1].addrs) == sorted([VIP, VIP3]), f"the last advert lists {adverts[-1].addrs}")
    expect(not lab.adverts(vrid=51, src=nb.ipv4, since=since), "the backup advertised: it took over")
    expect(lab.has_none("b", [VIP, VIP2, VIP3, "192.0.2.110"]), "the backup holds a VIP")
    new_garps = [g for g in lab.garps(VIP3, since=t_change) if g.sha == na.mac]
    expect(new_garps, "no gratuitous ARP announced the added VIP")
    ctx.note(f"unchanged reload: no address event; changed reload: {len(events)} address events, "
             f"longest advert gap {max(gaps):.2f} s")
