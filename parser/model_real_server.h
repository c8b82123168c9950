#pragma once
// real_server_setup: Tandem's own block (keepalived has none) for a DR/TUN real server: the VIPs bound on lo as
// /32 (/128) and the ARP sysctls that keep the server from answering for them. Acted on by `tandemd --realserver`.
#include <string>
#include <vector>

#include "parser/schema.h"

namespace tandem::config {

struct RealServerSetup {
  BlockMeta meta;                   // meta.where is valid only when the block is in the file
  std::vector<IpAddress> vip;       // vip ADDRESS [ADDRESS...], may repeat
  std::vector<std::string> interface;  // outward interfaces whose ARP sysctls are set too (lo and "all" always are)
  bool arp_suppression = true;      // arp_ignore=1 / arp_announce=2; "off" for a TUN server that needs none
  bool keep_on_exit = false;        // leave the VIPs and sysctls in place when stopped

  bool present() const { return meta.where.valid(); }
};

const Schema<RealServerSetup>& realServerSetupSchema();

}  // namespace tandem::config
