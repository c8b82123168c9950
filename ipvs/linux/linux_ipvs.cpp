#include "ipvs/linux/linux_ipvs.h"

#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "ipvs/linux/ipvs_messages.h"

namespace tandem::ipvs::linux_ {
namespace {

constexpr std::size_t kApplyChunk = 512;

std::string errnoText(int error) { return std::strerror(error); }

Outcome classify(OpKind kind, int error) {
  if (error == 0) return Outcome::Done;
  const bool adds = kind == OpKind::AddService || kind == OpKind::AddDest;
  if (adds && error == EEXIST) return Outcome::AlreadyExists;
  // The kernel says ESRCH for a missing service and ENOENT for a missing destination. On AddService ENOENT means
  // an unknown scheduler instead, a real failure.
  if (error == ESRCH || (error == ENOENT && kind != OpKind::AddService)) return Outcome::NotFound;
  return Outcome::Failed;
}

std::string failureText(const Operation& operation, int error) {
  std::string text = actionText(operation) + ": " + errnoText(error);
  if (error == ESRCH) text += " (no such virtual service)";
  if (error == ENOENT && operation.kind == OpKind::AddService) {
    text += " (no scheduler \"" + operation.service.scheduler + "\": is ip_vs_" + operation.service.scheduler +
            " available?)";
  }
  return text;
}

std::uint8_t commandOf(OpKind kind) {
  switch (kind) {
    case OpKind::AddService:
      return IPVS_CMD_NEW_SERVICE;
    case OpKind::EditService:
      return IPVS_CMD_SET_SERVICE;
    case OpKind::DelService:
      return IPVS_CMD_DEL_SERVICE;
    case OpKind::AddDest:
      return IPVS_CMD_NEW_DEST;
    case OpKind::EditDest:
      return IPVS_CMD_SET_DEST;
    case OpKind::DelDest:
      return IPVS_CMD_DEL_DEST;
  }
  return IPVS_CMD_UNSPEC;
}

nlattr* attribute(nlmsghdr* header, int type) {
  return nlmsg_find_attr(header, GENL_HDRLEN, type);
}

}  // namespace

bool ApplyResult::ok() const { return failures() == 0; }

std::size_t ApplyResult::failures() const {
  std::size_t count = 0;
  for (const OperationOutcome& outcome : outcomes) count += outcome.outcome == Outcome::Done ? 0 : 1;
  return count;
}

bool ApplyResult::needsResync() const {
  for (const OperationOutcome& outcome : outcomes) {
    if (outcome.outcome == Outcome::AlreadyExists || outcome.outcome == Outcome::NotFound) return true;
  }
  return false;
}

std::vector<std::string> ApplyResult::errors() const {
  std::vector<std::string> messages;
  for (const OperationOutcome& outcome : outcomes) {
    if (outcome.outcome != Outcome::Done) messages.push_back(outcome.message);
  }
  return messages;
}

std::string actionText(const Operation& operation) {
  const std::string service = serviceName(operation.service.key);
  const std::string destination = operation.destination ? destinationName(operation.destination->key) : "?";
  switch (operation.kind) {
    case OpKind::AddService:
      return "adding " + service;
    case OpKind::EditService:
      return "editing " + service;
    case OpKind::DelService:
      return "deleting " + service;
    case OpKind::AddDest:
      return "adding destination " + destination + " to " + service;
    case OpKind::EditDest:
      return "editing destination " + destination + " of " + service;
    case OpKind::DelDest:
      return "deleting destination " + destination + " from " + service;
  }
  return service;
}

bool LinuxIpvs::connect(std::string& why) {
  if (channel_.isOpen()) return true;
  int error = 0;
  std::string detail;
  if (channel_.open(IPVS_GENL_NAME, error, detail)) return true;
  why = error == ENOENT ? "IPVS is not available: the kernel has no ip_vs module loaded (modprobe ip_vs)"
                        : "IPVS is not available: " + detail;
  return false;
}

bool LinuxIpvs::available(std::string& why) {
  if (!connect(why)) return false;
  // GET_INFO needs CAP_NET_ADMIN like every IPVS command, so it also proves the right to drive the table.
  const int error = channel_.exchange(channel_.request(IPVS_CMD_GET_INFO, 0, IPVS_GENL_VERSION), [](nlmsghdr*) {});
  if (error == 0) return true;
  if (error == EPERM || error == EACCES) {
    why = "IPVS is not available: " + errnoText(error) + " (driving IPVS needs CAP_NET_ADMIN)";
  } else {
    why = "IPVS is not available: asking the kernel for IPVS information failed: " + errnoText(error);
    channel_.close();
  }
  return false;
}

std::optional<Snapshot> LinuxIpvs::dump(std::string& error) {
  if (!connect(error)) return std::nullopt;
  Snapshot snapshot;
  std::vector<Service> services;
  const int serviceError =
      channel_.exchange(channel_.request(IPVS_CMD_GET_SERVICE, NLM_F_DUMP, IPVS_GENL_VERSION), [&](nlmsghdr* header) {
        Counters counters;
        if (auto service = parseService(attribute(header, IPVS_CMD_ATTR_SERVICE), &counters)) {
          snapshot.table.addService(*service);
          snapshot.statistics[service->key].counters = counters;
          services.push_back(*service);
        }
      });
  if (serviceError != 0) {
    error = "dumping IPVS services: " + errnoText(serviceError);
    return std::nullopt;
  }
  for (const Service& service : services) {
    NlMsg request = channel_.request(IPVS_CMD_GET_DEST, NLM_F_DUMP, IPVS_GENL_VERSION);
    if (!request || !putService(request.get(), service, false)) {
      error = "dumping destinations of " + serviceName(service.key) + ": out of memory";
      return std::nullopt;
    }
    ServiceStats& stats = snapshot.statistics[service.key];
    const int destError = channel_.exchange(std::move(request), [&](nlmsghdr* header) {
      DestinationStats destStats;
      if (auto dest = parseDestination(attribute(header, IPVS_CMD_ATTR_DEST), service.key.family(), &destStats)) {
        snapshot.table.addDestination(service.key, *dest);
        stats.destinations[dest->key] = destStats;
      }
    });
    // A service deleted between the two dumps (by another program) simply has no destinations left to list.
    if (destError == ESRCH) continue;
    if (destError != 0) {
      error = "dumping destinations of " + serviceName(service.key) + ": " + errnoText(destError);
      return std::nullopt;
    }
  }
  return snapshot;
}

ApplyResult LinuxIpvs::apply(const Plan& plan) {
  ApplyResult result;
  result.outcomes.reserve(plan.size());
  std::string why;
  if (!connect(why)) {
    for (const Operation& operation : plan) {
      result.outcomes.push_back(
          OperationOutcome{operation, Outcome::Failed, ENOTCONN, actionText(operation) + ": " + why});
    }
    return result;
  }
  // Built and sent a chunk at a time: every message takes a page of its own, and a start-up plan can hold tens of
  // thousands of operations.
  for (std::size_t first = 0; first < plan.size(); first += kApplyChunk) {
    const std::size_t end = std::min(plan.size(), first + kApplyChunk);
    std::vector<NlMsg> messages;
    messages.reserve(end - first);
    std::vector<bool> malformed;
    for (std::size_t i = first; i < end; ++i) {
      const Operation& operation = plan[i];
      const bool withDest = operation.kind == OpKind::AddDest || operation.kind == OpKind::EditDest ||
                            operation.kind == OpKind::DelDest;
      const bool fullService = operation.kind == OpKind::AddService || operation.kind == OpKind::EditService;
      if (withDest && !operation.destination) {
        messages.emplace_back();  // a destination operation without its destination: nothing to send
        malformed.push_back(true);
        continue;
      }
      NlMsg message = channel_.request(commandOf(operation.kind), 0, IPVS_GENL_VERSION);
      bool built = message && putService(message.get(), operation.service, fullService);
      if (withDest) {
        built = built && putDestination(message.get(), *operation.destination, operation.kind != OpKind::DelDest);
      }
      if (!built) message.reset();  // reported as ENOMEM by the channel, like any message it could not send
      messages.push_back(std::move(message));
      malformed.push_back(false);
    }
    std::vector<int> errors = channel_.execute(messages);
    for (std::size_t i = first; i < end; ++i) {
      int& error = errors[i - first];
      if (malformed[i - first]) error = EINVAL;
      OperationOutcome outcome{plan[i], classify(plan[i].kind, error), error, {}};
      if (error != 0) outcome.message = failureText(plan[i], error);
      result.outcomes.push_back(std::move(outcome));
    }
  }
  return result;
}

Status LinuxIpvs::runOne(std::uint8_t command, const std::function<bool(nl_msg*)>& fill, const std::string& what) {
  std::string why;
  if (!connect(why)) return Status{ENOTCONN, what + ": " + why};
  NlMsg message = channel_.request(command, 0, IPVS_GENL_VERSION);
  if (!message || !fill(message.get())) return Status{ENOMEM, what + ": out of memory"};
  std::vector<NlMsg> batch;
  batch.push_back(std::move(message));
  const int error = channel_.execute(batch).front();
  return error == 0 ? Status{} : Status{error, what + ": " + errnoText(error)};
}

Status LinuxIpvs::setTimeouts(const Timeouts& timeouts) {
  const auto fill = [&timeouts](nl_msg* message) {
    return nla_put_u32(message, IPVS_CMD_ATTR_TIMEOUT_TCP, timeouts.tcp) == 0 &&
           nla_put_u32(message, IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, timeouts.tcpFin) == 0 &&
           nla_put_u32(message, IPVS_CMD_ATTR_TIMEOUT_UDP, timeouts.udp) == 0;
  };
  return runOne(IPVS_CMD_SET_CONFIG, fill,
                "setting IPVS timeouts (tcp " + std::to_string(timeouts.tcp) + " tcpfin " +
                    std::to_string(timeouts.tcpFin) + " udp " + std::to_string(timeouts.udp) + ")");
}

std::optional<Timeouts> LinuxIpvs::timeouts(std::string& error) {
  if (!connect(error)) return std::nullopt;
  Timeouts timeouts;
  const int err =
      channel_.exchange(channel_.request(IPVS_CMD_GET_CONFIG, 0, IPVS_GENL_VERSION), [&timeouts](nlmsghdr* header) {
        auto get = [header](int type) {
          nlattr* found = attribute(header, type);
          return found != nullptr && nla_len(found) >= 4 ? nla_get_u32(found) : 0U;
        };
        timeouts.tcp = get(IPVS_CMD_ATTR_TIMEOUT_TCP);
        timeouts.tcpFin = get(IPVS_CMD_ATTR_TIMEOUT_TCP_FIN);
        timeouts.udp = get(IPVS_CMD_ATTR_TIMEOUT_UDP);
      });
  if (err != 0) {
    error = "reading IPVS timeouts: " + errnoText(err);
    return std::nullopt;
  }
  return timeouts;
}

Status LinuxIpvs::startSyncDaemon(const SyncDaemon& daemon) {
  const char* role = daemon.state == SyncState::Master ? "master" : "backup";
  return runOne(IPVS_CMD_NEW_DAEMON, [&daemon](nl_msg* message) { return putSyncDaemon(message, daemon, true); },
                std::string("starting the IPVS sync daemon (") + role + " on " +
                                        daemon.interface + ", syncid " + std::to_string(daemon.syncId) + ")");
}

Status LinuxIpvs::stopSyncDaemon(SyncState state) {
  SyncDaemon daemon;
  daemon.state = state;
  const char* role = state == SyncState::Master ? "master" : "backup";
  const Status status =
      runOne(IPVS_CMD_DEL_DAEMON, [&daemon](nl_msg* message) { return putSyncDaemon(message, daemon, false); },
             std::string("stopping the IPVS sync daemon (") + role + ")");
  if (status.error != ENOMSG) return status;
  // No ack: the kernel stopped a sync thread that had not run yet (kthread_stop() gives -EINTR, which netlink does
  // not acknowledge). The daemon is gone all the same; the listing says so.
  std::string error;
  const auto daemons = syncDaemons(error);
  if (!daemons) return Status{status.error, status.message + "; " + error};
  for (const SyncDaemon& d : *daemons)
    if (d.state == state) return status;
  return Status{};
}

std::optional<std::vector<SyncDaemon>> LinuxIpvs::syncDaemons(std::string& error) {
  if (!connect(error)) return std::nullopt;
  std::vector<SyncDaemon> daemons;
  const int err = channel_.exchange(channel_.request(IPVS_CMD_GET_DAEMON, NLM_F_DUMP, IPVS_GENL_VERSION),
                                    [&daemons](nlmsghdr* header) {
                                      if (auto daemon = parseSyncDaemon(attribute(header, IPVS_CMD_ATTR_DAEMON))) {
                                        daemons.push_back(*daemon);
                                      }
                                    });
  if (err != 0) {
    error = "listing IPVS sync daemons: " + errnoText(err);
    return std::nullopt;
  }
  return daemons;
}

}  // namespace tandem::ipvs::linux_
