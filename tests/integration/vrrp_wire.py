"""Reading and forging the frames a VRRP segment carries: pcap files, VRRP adverts (v2/v3, IPv4/IPv6, IPsec AH),
gratuitous ARP and unsolicited neighbour advertisements. Standard library only."""
from __future__ import annotations

import ipaddress
import struct
from dataclasses import dataclass, field

ETH_P_IP, ETH_P_ARP, ETH_P_IPV6, ETH_P_8021Q = 0x0800, 0x0806, 0x86DD, 0x8100
PROTO_VRRP, PROTO_AH, PROTO_ICMPV6 = 112, 51, 58
VRRP_GROUP4, VRRP_GROUP6 = "224.0.0.18", "ff02::12"
AUTH_NONE, AUTH_PASS, AUTH_AH = 0, 1, 2


@dataclass
class Advert:
    ts: float
    eth_src: str
    src: str
    dst: str
    ttl: int
    version: int
    vrid: int
    priority: int
    adver_int: float  # seconds
    addrs: list = field(default_factory=list)
    auth_type: int = AUTH_NONE
    auth_data: bytes = b""
    ah: bool = False
    checksum_ok: bool = True


@dataclass
class Arp:
    ts: float
    eth_src: str
    op: int
    sha: str
    spa: str
    tpa: str

    @property
    def gratuitous(self) -> bool:
        return self.spa == self.tpa


@dataclass
class NeighborAdvert:
    ts: float
    eth_src: str
    src: str
    dst: str
    target: str
    tlla: str | None  # target link-layer address option
    override: bool


def mac_str(raw: bytes) -> str:
    return ":".join(f"{b:02x}" for b in raw)


def mac_bytes(text: str) -> bytes:
    return bytes(int(x, 16) for x in text.split(":"))


def inet_checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


# ---------------------------------------------------------------- pcap

def read_pcap(path: str) -> list[tuple[float, bytes]]:
    """Frames and their kernel timestamps; a record cut short at the end (tcpdump still writing) is left out."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return []
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        endian = "<"
    else:
        endian = ">"
        magic = struct.unpack(">I", data[:4])[0]
    scale = 1e-9 if magic == 0xA1B23C4D else 1e-6
    out, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, _orig = struct.unpack(endian + "IIII", data[off:off + 16])
        if off + 16 + incl > len(data):
            break
        out.append((sec + frac * scale, data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return out


# ---------------------------------------------------------------- parsing

def _parse_vrrp(ts, eth_src, src, dst, ttl, payload, family, pseudo, ah):
    if len(payload) < 8:
        return None
    vt, vrid, prio, count = payload[0], payload[1], payload[2], payload[3]
    version, ptype = vt >> 4, vt & 0xF
    if ptype != 1 or version not in (2, 3):
        return None
    alen = 4 if family == 4 else 16
    addrs = []
    for i in range(count):
        chunk = payload[8 + i * alen:8 + (i + 1) * alen]
        if len(chunk) == alen:
            addrs.append(str(ipaddress.ip_address(chunk)))
    if version == 2:
        auth_type, adv = payload[4], float(payload[5])
        auth_data = payload[8 + count * 4:8 + count * 4 + 8]
        ok = inet_checksum(payload) == 0
    else:
        auth_type, auth_data = AUTH_NONE, b""
        adv = (struct.unpack("!H", payload[4:6])[0] & 0x0FFF) / 100.0
        ok = inet_checksum(pseudo + payload) == 0
    return Advert(ts, eth_src, src, dst, ttl, version, vrid, prio, adv, addrs, auth_type, auth_data, ah, ok)


def parse_frame(ts: float, frame: bytes):
    """One of Advert, Arp, NeighborAdvert, or None for anything else."""
    if len(frame) < 14:
        return None
    eth_src = mac_str(frame[6:12])
    etype, off = struct.unpack("!H", frame[12:14])[0], 14
    if etype == ETH_P_8021Q and len(frame) >= 18:
        etype, off = struct.unpack("!H", frame[16:18])[0], 18
    body = frame[off:]
    if etype == ETH_P_ARP and len(body) >= 28:
        op = struct.unpack("!H", body[6:8])[0]
        return Arp(ts, eth_src, op, mac_str(body[8:14]), str(ipaddress.ip_address(body[14:18])),
                   str(ipaddress.ip_address(body[24:28])))
    if etype == ETH_P_IP and len(body) >= 20:
        ihl = (body[0] & 0xF) * 4
        total = struct.unpack("!H", body[2:4])[0]
        ttl, proto = body[8], body[9]
        src, dst = str(ipaddress.ip_address(body[12:16])), str(ipaddress.ip_address(body[16:20]))
        payload = body[ihl:total]
        ah = False
        if proto == PROTO_AH and len(payload) >= 12:
            proto, ah = payload[0], True
            payload = payload[(payload[1] + 2) * 4:]
        if proto != PROTO_VRRP:
            return None
        pseudo = body[12:20] + struct.pack("!BBH", 0, PROTO_VRRP, len(payload))
        return _parse_vrrp(ts, eth_src, src, dst, ttl, payload, 4, pseudo, ah)
    if etype == ETH_P_IPV6 and len(body) >= 40:
        plen, nh, hlim = struct.unpack("!HBB", body[4:8])
        src, dst = str(ipaddress.ip_address(body[8:24])), str(ipaddress.ip_address(body[24:40]))
        payload = body[40:40 + plen]
        if nh == PROTO_VRRP:
            pseudo = body[8:40] + struct.pack("!I3xB", len(payload), PROTO_VRRP)
            return _parse_vrrp(ts, eth_src, src, dst, hlim, payload, 6, pseudo, False)
        if nh == PROTO_ICMPV6 and len(payload) >= 24 and payload[0] == 136:
            flags, target = payload[4], str(ipaddress.ip_address(payload[8:24]))
            tlla, opt = None, payload[24:]
            while len(opt) >= 8 and opt[1]:
                if opt[0] == 2:
                    tlla = mac_str(opt[2:8])
                opt = opt[opt[1] * 8:]
            return NeighborAdvert(ts, eth_src, src, dst, target, tlla, bool(flags & 0x20))
    return None


def parse_pcap(path: str) -> list:
    return [p for p in (parse_frame(ts, fr) for ts, fr in read_pcap(path)) if p is not None]


# ---------------------------------------------------------------- forging

def vrrp_payload(version: int, vrid: int, priority: int, addrs: list[str], adver_int: float = 1.0,
                 auth_type: int = AUTH_NONE, auth_pass: str = "", pseudo: bytes = b"") -> bytes:
    """A VRRP advert with a correct checksum (v3 needs the pseudo-header of the IP packet that will carry it)."""
    packed = b"".join(ipaddress.ip_address(a).packed for a in addrs)
    if version == 2:
        auth = auth_pass.encode()[:8].ljust(8, b"\0") if auth_type == AUTH_PASS else b"\0" * 8
        head = struct.pack("!BBBBBBH", 0x21, vrid, priority, len(addrs), auth_type, int(adver_int), 0)
        body = head + packed + auth
        csum = inet_checksum(body)
    else:
        head = struct.pack("!BBBBHH", 0x31, vrid, priority, len(addrs), int(round(adver_int * 100)) & 0x0FFF, 0)
        body = head + packed
        csum = inet_checksum(pseudo + body)
    return body[:6] + struct.pack("!H", csum) + body[8:]


def ipv4_packet(src: str, dst: str, proto: int, payload: bytes, ttl: int = 255) -> bytes:
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0xC0, 20 + len(payload), 0, 0, ttl, proto, 0,
                      ipaddress.ip_address(src).packed, ipaddress.ip_address(dst).packed)
    return hdr[:10] + struct.pack("!H", inet_checksum(hdr)) + hdr[12:] + payload


def ipv6_packet(src: str, dst: str, nh: int, payload: bytes, hlim: int = 255) -> bytes:
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, hlim, ipaddress.ip_address(src).packed,
                       ipaddress.ip_address(dst).packed) + payload


def ethernet(src_mac: str, dst_mac: str, etype: int, payload: bytes) -> bytes:
    frame = mac_bytes(dst_mac) + mac_bytes(src_mac) + struct.pack("!H", etype) + payload
    return frame.ljust(60, b"\0")


def forged_advert4(src_mac: str, src: str, vrid: int, priority: int, addrs: list[str], *, version: int = 2,
                   adver_int: float = 1.0, ttl: int = 255, auth_type: int = AUTH_NONE, auth_pass: str = "",
                   bad_checksum: bool = False, truncate: int = 0, ah_seq: int | None = None,
                   dst: str = VRRP_GROUP4) -> bytes:
    """An IPv4 advert as a whole Ethernet frame. `truncate` drops that many bytes off the VRRP message (IP length
    fixed up so only VRRP sees the damage); `ah_seq` wraps it in an AH header whose ICV is garbage."""
    pseudo = (ipaddress.ip_address(src).packed + ipaddress.ip_address(dst).packed)
    vrrp = vrrp_payload(version, vrid, priority, addrs, adver_int, auth_type, auth_pass, b"")
    if version == 3:
        pseudo += struct.pack("!BBH", 0, PROTO_VRRP, len(vrrp))
        vrrp = vrrp_payload(version, vrid, priority, addrs, adver_int, pseudo=pseudo)
    if bad_checksum:
        vrrp = vrrp[:6] + struct.pack("!H", struct.unpack("!H", vrrp[6:8])[0] ^ 0x5A5A) + vrrp[8:]
    if truncate:
        vrrp = vrrp[:-truncate]
    proto, payload = PROTO_VRRP, vrrp
    if ah_seq is not None:
        ah = struct.pack("!BBH4sI", PROTO_VRRP, 4, 0, ipaddress.ip_address(src).packed, ah_seq) + b"\xA5" * 12
        proto, payload = PROTO_AH, ah + vrrp
    mac = "01:00:5e:00:00:12" if dst == VRRP_GROUP4 else "ff:ff:ff:ff:ff:ff"
    return ethernet(src_mac, mac, ETH_P_IP, ipv4_packet(src, dst, proto, payload, ttl))


def forged_advert6(src_mac: str, src: str, vrid: int, priority: int, addrs: list[str], *, adver_int: float = 1.0,
                   hlim: int = 255, bad_checksum: bool = False) -> bytes:
    pseudo_len = 8 + 16 * len(addrs)
    pseudo = (ipaddress.ip_address(src).packed + ipaddress.ip_address(VRRP_GROUP6).packed
              + struct.pack("!I3xB", pseudo_len, PROTO_VRRP))
    vrrp = vrrp_payload(3, vrid, priority, addrs, adver_int, pseudo=pseudo)
    if bad_checksum:
        vrrp = vrrp[:6] + struct.pack("!H", struct.unpack("!H", vrrp[6:8])[0] ^ 0x5A5A) + vrrp[8:]
    return ethernet(src_mac, "33:33:00:00:00:12", ETH_P_IPV6, ipv6_packet(src, VRRP_GROUP6, PROTO_VRRP, vrrp, hlim))


def send_frames(ifname: str, frames: list[bytes], interval: float = 0.0) -> None:
    """Runs inside the sending namespace (see netlab.py's `send` command)."""
    import socket
    import time
    with socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as s:
        s.bind((ifname, 0))
        for i, fr in enumerate(frames):
            if i and interval:
                time.sleep(interval)
            s.send(fr)
