#pragma once
// What `tandemd --diagnose` reads from the live system: interfaces (rtnetlink), firewall tools' output, /proc/sys,
// the adverts on the wire (raw sockets, for a bounded time) and ARP probes (AF_PACKET). Only reads and listens,
// except for the ARP probes, which carry no address anyone could learn (sender IP 0.0.0.0).
#include <chrono>
#include <string>
#include <vector>

#include "diagnose/adverts.h"
#include "diagnose/firewall.h"
#include "diagnose/interfaces.h"
#include "diagnose/sysctls.h"
#include "diagnose/vip_probe.h"

namespace tandem::diagnose::linux_ {

// Every interface of the namespace with its addresses; empty with the reason in `error` when netlink fails.
InterfaceSnapshot readInterfaces(std::string& error);

// Runs argv[0] (looked up in PATH) and collects its output; present = false when it is not installed.
ToolOutput runTool(const std::vector<std::string>& argv);

// Reads /proc/sys/<key with dots as slashes>; keys that cannot be read are left out.
KernelFacts readKernelFacts(const std::vector<std::string>& keys);

// Listens on every target at once for `seconds`.
ListenResult listenForAdverts(const std::vector<ListenTarget>& targets, const InterfaceSnapshot& snapshot, double seconds);

// Sends `arping -D`-style probes (three, 200 ms apart) and collects claims until `wait` after the last one.
std::vector<ProbeResult> probeAddresses(const std::vector<ProbeTarget>& targets,
                                        std::chrono::milliseconds wait = std::chrono::milliseconds(600));

}  // namespace tandem::diagnose::linux_
