"""tandemd --diagnose where IPVS is loaded (ctest vm.diagnose, inside the VM): a DR/NAT director in a namespace
of its own (a veth pair, nothing else on it) must report IPVS as loaded and judge net.ipv4.vs.* and
net.ipv4.ip_forward from the namespace's real values. Usage: diagnose_ipvs.py PATH/TO/tandemd"""
import json
import os
import subprocess
import sys
import tempfile

TANDEMD = sys.argv[1]
NS = f"tdm-vmdiag-{os.getpid()}"
CONFIG = """vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
  priority 100
  virtual_ipaddress {
    192.0.2.100/24
  }
}
virtual_server 192.0.2.100 80 {
  lvs_method NAT
  protocol TCP
  persistence_timeout 60
  real_server 10.1.0.1 80 {
  }
}
"""
failures = []


def run(*cmd, check=True):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if check and p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {p.stderr}")
    return p


def check(ok, what):
    print(("PASS " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def diagnose(conf):
    p = run("ip", "netns", "exec", NS, TANDEMD, "--diagnose", "--json", "--listen", "0.2", "-f", conf, check=False)
    findings = json.loads(p.stdout)["findings"]
    for f in findings:
        print(f"  {f['severity']:5} {f['subject']}: {f['reason']}")
    return findings


def has(findings, severity, subject, reason=""):
    return any(f["severity"] == severity and subject in f["subject"] and reason in f["reason"] for f in findings)


def main():
    if not os.path.exists("/proc/net/ip_vs"):
        run("modprobe", "ip_vs", check=False)
    if not os.path.exists("/proc/net/ip_vs"):
        print("SKIPPED: no IPVS in this kernel")
        return 77
    run("ip", "netns", "add", NS)
    try:
        run("ip", "-n", NS, "link", "add", "eth0", "type", "veth", "peer", "name", "eth1")
        for link in ("lo", "eth0", "eth1"):
            run("ip", "-n", NS, "link", "set", link, "up")
        run("ip", "-n", NS, "addr", "add", "192.0.2.11/24", "dev", "eth0")
        with tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False) as f:
            f.write(CONFIG)
        sysctl = ["ip", "netns", "exec", NS, "sysctl", "-qw"]
        run(*sysctl, "net.ipv4.vs.expire_nodest_conn=0", "net.ipv4.vs.expire_quiescent_template=0", "net.ipv4.ip_forward=0")
        found = diagnose(f.name)
        check(has(found, "OK", "ipvs", "loaded"), "IPVS is seen as loaded")
        check(has(found, "WARN", "net.ipv4.vs.expire_nodest_conn"), "expire_nodest_conn=0 warns")
        check(has(found, "WARN", "net.ipv4.vs.expire_quiescent_template"), "expire_quiescent_template=0 warns (persistence)")
        check(has(found, "FAIL", "net.ipv4.ip_forward"), "NAT without forwarding fails")
        run(*sysctl, "net.ipv4.vs.expire_nodest_conn=1", "net.ipv4.vs.expire_quiescent_template=1", "net.ipv4.ip_forward=1")
        found = diagnose(f.name)
        check(not any("net.ipv4.vs" in x["subject"] for x in found), "set knobs give no line")
        check(has(found, "OK", "net.ipv4.ip_forward"), "forwarding on: OK")
    finally:
        run("ip", "netns", "del", NS, check=False)
    print(f"{len(failures)} failure(s)" if failures else "all vm diagnose cases passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
