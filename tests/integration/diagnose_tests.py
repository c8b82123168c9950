"""tandemd --diagnose against a live segment (netlab: directors a and b, observer obs on a hub). Director a is the
host diagnosed (BACKUP, priority 100); b runs tandemd as the MASTER (priority 150). Each case breaks one thing
inside the lab's namespaces (a firewall rule, a clashing router, a missing interface, equal priorities, a stale
VIP, NAT without forwarding) and expects its FAIL (or WARN) line in `--diagnose --json`; the healthy pair must give
no FAIL. Times printed are wall-clock durations of each diagnose run."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from netlab import Lab, install_cleanup_handlers  # noqa: E402

TANDEMD = sys.argv[1]
VIP = "192.0.2.100"
failures: list[str] = []


def check(ok: bool, what: str) -> bool:
    print(("PASS " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)
    return ok


def instance(priority: int, state: str = "BACKUP", interface: str = "eth0", vip: str = VIP, extra: str = "") -> str:
    return f"""vrrp_instance VI_1 {{
  state {state}
  interface {interface}
  virtual_router_id 51
  priority {priority}
  advert_int 1
  virtual_ipaddress {{
    {vip}/24
  }}
}}
{extra}"""


NAT_SERVICE = """virtual_server 192.0.2.100 80 {
  lvs_method NAT
  protocol TCP
  real_server 10.1.0.1 80 {
  }
}
"""


def diagnose(lab: Lab, conf_text: str, listen: float = 2.5) -> tuple[int, list[dict]]:
    conf = os.path.join(lab.tmp, "a-diagnose.conf")
    with open(conf, "w") as f:
        f.write(conf_text)
    start = time.monotonic()
    p = lab.exec("a", TANDEMD, "--diagnose", "--json", "--listen", str(listen), "-f", conf, check=False)
    took = time.monotonic() - start
    try:
        findings = json.loads(p.stdout)["findings"]
    except (ValueError, KeyError):
        print(f"  unreadable output (exit {p.returncode}): {p.stdout!r} {p.stderr!r}")
        return p.returncode, []
    print(f"  diagnose exit {p.returncode} in {took:.2f}s:")
    for f in findings:
        print(f"    {f['severity']:5} {f['subject']}: {f['reason']}" + (f"  (fix: {f['fix']})" if f["fix"] else ""))
    return p.returncode, findings


def has(findings: list[dict], severity: str, subject: str, reason: str = "") -> bool:
    return any(f["severity"] == severity and subject in f["subject"] and reason in f["reason"] for f in findings)


def fails(findings: list[dict]) -> list[dict]:
    return [f for f in findings if f["severity"] == "FAIL"]


def start_master(lab: Lab, priority: int = 150):
    d = lab.start_daemon("b", "tandemd", instance(priority, "MASTER" if priority > 100 else "BACKUP"), binary=TANDEMD)
    if not lab.wait_until(lambda: lab.has_vips("b", [VIP]), 8):
        raise RuntimeError("b did not become MASTER:\n" + d.log_text())
    return d


def main() -> int:
    install_cleanup_handlers()
    a_conf = instance(100)
    with Lab(["a", "b"]) as lab:
        master = start_master(lab)

        print("case: healthy pair (b MASTER, a BACKUP)")
        rc, found = diagnose(lab, a_conf)
        check(rc == 0 and not fails(found), "healthy pair: exit 0 and no FAIL")
        check(has(found, "OK", "adverts eth0", "peer router 192.0.2.12 (VRID 51 priority 150"), "the master is reported")
        check(has(found, "OK", "VIP 192.0.2.100", "held by the MASTER 192.0.2.12"), "the VIP is the master's")
        check(has(found, "OK", "firewall eth0", "nftables lets adverts to 224.0.0.18 in"), "nftables checked")

        print("case: nft drops IP protocol 112 on eth0")
        lab.exec("a", "nft", "add table inet tdiag")
        lab.exec("a", "nft", "add chain inet tdiag input { type filter hook input priority 0 ; policy accept ; }")
        lab.exec("a", "nft", "add rule inet tdiag input iifname eth0 ip protocol vrrp drop")
        rc, found = diagnose(lab, a_conf)
        check(rc == 1 and has(found, "FAIL", "firewall eth0 (VI_1)", "ip protocol vrrp drop"), "nft drop: FAIL")
        check(has(found, "FAIL", "adverts eth0", "from 192.0.2.12 for VRID 51 reach eth0 but are not delivered"),
              "nft drop: adverts seen on the wire, not delivered")
        lab.exec("a", "nft", "delete table inet tdiag")

        print("case: iptables drops VRRP")
        lab.exec("a", "iptables", "-A", "INPUT", "-i", "eth0", "-p", "vrrp", "-j", "DROP")
        rc, found = diagnose(lab, a_conf)
        check(rc == 1 and has(found, "FAIL", "firewall eth0 (VI_1)", "iptables -t filter INPUT rule '-i eth0 -p vrrp -j DROP'"),
              "iptables drop: FAIL")
        lab.exec("a", "iptables", "-D", "INPUT", "-i", "eth0", "-p", "vrrp", "-j", "DROP")

        print("case: a second router uses VRID 51 for another address")
        # Priority 200 so that it keeps advertising whatever it makes of b's adverts.
        rogue = lab.start_daemon("obs", "tandemd", instance(200, "MASTER", vip="192.0.2.200"), binary=TANDEMD)
        rc, found = diagnose(lab, a_conf)
        check(rc == 1 and has(found, "FAIL", "adverts eth0", "VRID clash: router 192.0.2.250"), "VRID clash: FAIL")
        rogue.terminate()

        print("case: unicast peers, and a router that is not one of them")
        master.terminate()
        lab.del_addresses("b", [VIP + "/24"])
        unicast = "  unicast_peer {\n    %s\n  }\n"
        b_unicast = instance(150, "MASTER").replace("  advert_int 1\n", "  advert_int 1\n" + unicast % "192.0.2.11")
        a_unicast = a_conf.replace("  advert_int 1\n", "  advert_int 1\n" + unicast % "192.0.2.12")
        master = lab.start_daemon("b", "tandemd", b_unicast, binary=TANDEMD)
        lab.wait_until(lambda: lab.has_vips("b", [VIP]), 8)
        rc, found = diagnose(lab, a_unicast)
        check(rc == 0 and has(found, "OK", "adverts eth0", "peer router 192.0.2.12"), "unicast peer heard: OK")
        check(has(found, "OK", "firewall eth0", "lets adverts from peer 192.0.2.12 in"), "unicast firewall path")
        rogue = lab.start_daemon("obs", "tandemd", instance(200, "MASTER", vip="192.0.2.200"), binary=TANDEMD)
        rc, found = diagnose(lab, a_unicast)
        check(rc == 1 and has(found, "FAIL", "adverts eth0", "router 192.0.2.250") and
              has(found, "FAIL", "adverts eth0", "is not a unicast_peer"), "router outside the unicast peers: FAIL")
        rogue.terminate()
        master.terminate()
        lab.del_addresses("b", [VIP + "/24"])
        master = start_master(lab)

        print("case: the interface is missing")
        rc, found = diagnose(lab, instance(100, interface="eth9"), listen=0.5)
        check(rc == 1 and has(found, "FAIL", "interface eth9 (VI_1)", "does not exist"), "missing interface: FAIL")

        print("case: the peer has the same priority")
        master.terminate()
        lab.del_addresses("b", [VIP + "/24"])
        master = start_master(lab, priority=100)
        rc, found = diagnose(lab, a_conf)
        check(has(found, "WARN", "adverts eth0", "has this instance's priority 100"), "same priority: WARN")
        master.terminate()
        lab.wait_until(lambda: lab.has_none("b", [VIP]), 5)

        print("case: another host holds the VIP and no master is heard")
        lab.exec("obs", "ip", "addr", "add", VIP + "/24", "dev", "eth0")
        rc, found = diagnose(lab, a_conf, listen=1.5)
        check(rc == 1 and has(found, "FAIL", "VIP 192.0.2.100", "02:00:00:00:00:fa"), "stale VIP: FAIL with its MAC")
        check(has(found, "FAIL", "adverts eth0", "not even on the wire"), "no master: nothing on the wire either")
        lab.exec("obs", "ip", "addr", "del", VIP + "/24", "dev", "eth0")

        print("case: NAT director without forwarding")
        nat_conf = instance(100, extra=NAT_SERVICE)
        lab.exec("a", "sysctl", "-qw", "net.ipv4.ip_forward=0")
        rc, found = diagnose(lab, nat_conf, listen=0.5)
        check(rc == 1 and has(found, "FAIL", "sysctl net.ipv4.ip_forward", "NAT director"), "NAT without ip_forward: FAIL")
        lab.exec("a", "sysctl", "-qw", "net.ipv4.ip_forward=1")
        rc, found = diagnose(lab, nat_conf, listen=0.5)
        check(has(found, "OK", "sysctl net.ipv4.ip_forward"), "NAT with ip_forward: OK")

        print("case: IPv6 pair (adverts from the link-local address, no ARP probe)")
        v6 = """vrrp_instance V6 {
  state %s
  interface eth0
  virtual_router_id 52
  priority %d
  advert_int 1
  virtual_ipaddress {
    2001:db8::100/64
  }
}
"""
        peer6 = lab.start_daemon("b", "tandemd", v6 % ("MASTER", 150), binary=TANDEMD)
        lab.wait_until(lambda: "2001:db8::100" in lab.addresses("b"), 8)
        rc, found = diagnose(lab, v6 % ("BACKUP", 100))
        b_ll = lab.node("b").ll
        check(rc == 0 and has(found, "OK", "adverts eth0 (V6 VRID 52)", f"peer router {b_ll} (VRID 52 priority 150 VRRPv3"),
              "IPv6: the master is heard from its link-local address")
        check(has(found, "OK", "interface eth0 (V6)", "link-local"), "IPv6: link-local address found")
        peer6.terminate()

    print(f"{len(failures)} failure(s)" if failures else "all diagnose cases passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
