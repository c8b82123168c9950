"""keepalived.conf text for the integration tests; the same text drives keepalived and tandemd."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Instance:
    name: str = "VI_1"
    vrid: int = 51
    priority: int = 100
    state: str = "BACKUP"
    vips: list = field(default_factory=lambda: ["192.0.2.100/24"])
    version: int = 2
    advert_int: float = 1
    auth_type: str | None = None  # "PASS" | "AH"
    auth_pass: str = "secret"
    nopreempt: bool = False
    preempt_delay: float | None = None
    garp_master_repeat: int | None = 3
    garp_master_delay: int | None = 30  # far beyond a test: only the first burst is on the wire
    unicast_src: str | None = None
    unicast_peers: list = field(default_factory=list)
    track_scripts: list = field(default_factory=list)      # "name" or "name weight N"
    track_interfaces: list = field(default_factory=list)   # "ifname" or "ifname weight N"
    extra: list = field(default_factory=list)
    interface: str = "eth0"

    def text(self) -> str:
        adv = f"{self.advert_int:g}"
        lines = [f"vrrp_instance {self.name} {{",
                 f"    state {self.state}",
                 f"    interface {self.interface}",
                 f"    virtual_router_id {self.vrid}",
                 f"    priority {self.priority}",
                 f"    advert_int {adv}",
                 f"    version {self.version}"]
        if self.nopreempt:
            lines.append("    nopreempt")
        if self.preempt_delay is not None:
            lines.append(f"    preempt_delay {self.preempt_delay:g}")
        if self.garp_master_repeat is not None:
            lines.append(f"    garp_master_repeat {self.garp_master_repeat}")
        if self.garp_master_delay is not None:
            lines.append(f"    garp_master_delay {self.garp_master_delay}")
        if self.auth_type:
            lines += ["    authentication {", f"        auth_type {self.auth_type}",
                      f"        auth_pass {self.auth_pass}", "    }"]
        if self.unicast_src:
            lines.append(f"    unicast_src_ip {self.unicast_src}")
        if self.unicast_peers:
            lines += ["    unicast_peer {", *(f"        {p}" for p in self.unicast_peers), "    }"]
        if self.track_scripts:
            lines += ["    track_script {", *(f"        {s}" for s in self.track_scripts), "    }"]
        if self.track_interfaces:
            lines += ["    track_interface {", *(f"        {s}" for s in self.track_interfaces), "    }"]
        lines += ["    virtual_ipaddress {", *(f"        {v}" for v in self.vips), "    }"]
        lines += [f"    {x}" for x in self.extra]
        lines.append("}")
        return "\n".join(lines) + "\n"


@dataclass
class Script:
    name: str
    script: str
    interval: float = 1
    weight: int | None = None
    fall: int = 1
    rise: int = 1

    def text(self) -> str:
        lines = [f"vrrp_script {self.name} {{", f'    script "{self.script}"', f"    interval {self.interval:g}",
                 f"    fall {self.fall}", f"    rise {self.rise}"]
        if self.weight is not None:
            lines.append(f"    weight {self.weight}")
        return "\n".join(lines + ["}"]) + "\n"


def config(router_id: str, instances: list[Instance], scripts: list[Script] = (),
           sync_groups: dict[str, list[str]] | None = None) -> str:
    parts = ["global_defs {", f"    router_id {router_id}", "    script_user root", "    enable_script_security",
             "}", ""]
    for s in scripts:
        parts.append(s.text())
    for name, members in (sync_groups or {}).items():
        parts += [f"vrrp_sync_group {name} {{", "    group {", *(f"        {m}" for m in members), "    }", "}", ""]
    for inst in instances:
        parts.append(inst.text())
    return "\n".join(parts)
