#pragma once
// The IPVS generic netlink attributes (<linux/ip_vs.h>) to and from Tandem's table types. Encoding follows
// what the kernel requires of a "full entry" (ip_vs_genl_parse_service/_dest): scheduler, flags, timeout and
// netmask for a service; method, weight and both thresholds for a destination.
#include <optional>
#include <string>

#include "ipvs/linux/linux_ipvs.h"
#include "ipvs/table.h"

struct nl_msg;
struct nlattr;

namespace tandem::ipvs::linux_ {

// Appends IPVS_CMD_ATTR_SERVICE: the key alone, or the key and every attribute when `full`. False when the
// message ran out of room.
bool putService(nl_msg* message, const Service& service, bool full);
// Appends IPVS_CMD_ATTR_DEST: the key alone, or every attribute when `full`.
bool putDestination(nl_msg* message, const Destination& destination, bool full);
bool putSyncDaemon(nl_msg* message, const SyncDaemon& daemon, bool full);

// The nested IPVS_CMD_ATTR_SERVICE of a dump reply; nullopt for what Tandem cannot represent (a protocol other
// than TCP/UDP/SCTP). `stats` is filled when the reply carries statistics.
std::optional<Service> parseService(nlattr* nested, Counters* stats);
std::optional<Destination> parseDestination(nlattr* nested, Family serviceFamily, DestinationStats* stats);
std::optional<SyncDaemon> parseSyncDaemon(nlattr* nested);


}  // namespace tandem::ipvs::linux_
