#include "ipvs/plan.h"

#include <string_view>

namespace tandem::ipvs {
namespace {

Operation serviceOp(OpKind kind, const Service& service) { return Operation{kind, service, std::nullopt}; }

Operation destOp(OpKind kind, const Service& service, const Destination& destination) {
  return Operation{kind, service, destination};
}

void addWholeService(Plan& out, const VirtualService& wanted) {
  out.push_back(serviceOp(OpKind::AddService, wanted.service));
  for (const auto& [key, dest] : wanted.destinations) {
    out.push_back(destOp(OpKind::AddDest, wanted.service, dest));
  }
}

void reconcileService(Plan& out, const VirtualService& current, const VirtualService& wanted) {
  if (!current.service.sameAttributes(wanted.service)) {
    out.push_back(serviceOp(OpKind::EditService, wanted.service));
  }
  for (const auto& [key, dest] : wanted.destinations) {
    if (!current.destinations.contains(key)) {
      out.push_back(destOp(OpKind::AddDest, wanted.service, dest));
    }
  }
  for (const auto& [key, dest] : wanted.destinations) {
    auto found = current.destinations.find(key);
    if (found != current.destinations.end() && !found->second.sameAttributes(dest)) {
      out.push_back(destOp(OpKind::EditDest, wanted.service, dest));
    }
  }
  for (const auto& [key, dest] : current.destinations) {
    if (!wanted.destinations.contains(key)) {
      out.push_back(destOp(OpKind::DelDest, current.service, dest));
    }
  }
}

std::string_view protocolOption(Protocol protocol) {
  switch (protocol) {
    case Protocol::Tcp:
      return "-t";
    case Protocol::Udp:
      return "-u";
    case Protocol::Sctp:
      return "--sctp-service";
  }
  return "-t";
}

std::string serviceOptions(const ServiceKey& key) {
  if (key.isFwmark()) {
    return "-f " + std::to_string(key.mark()) + (key.family() == Family::Ipv6 ? " -6" : "");
  }
  return std::string(protocolOption(key.protocol())) + " " + endpointText(key.address(), key.port());
}

std::string netmaskText(const Service& service) {
  const unsigned prefix = service.effectivePrefix();
  if (service.key.family() == Family::Ipv6) {
    return std::to_string(prefix);
  }
  const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
  return std::to_string(mask >> 24) + "." + std::to_string((mask >> 16) & 0xff) + "." +
         std::to_string((mask >> 8) & 0xff) + "." + std::to_string(mask & 0xff);
}

// ipvsadm -b names: sh/mh call the scheduler bits by their meaning, other schedulers flag-N.
std::string schedulerFlags(const Service& service) {
  const bool sh = service.scheduler == "sh";
  const bool mh = service.scheduler == "mh";
  std::string names;
  auto add = [&names](std::string_view name) {
    names += names.empty() ? "" : ",";
    names += name;
  };
  if ((service.flags & svc_flag::kSched1) != 0) {
    add(sh ? "sh-fallback" : mh ? "mh-fallback" : "flag-1");
  }
  if ((service.flags & svc_flag::kSched2) != 0) {
    add(sh ? "sh-port" : mh ? "mh-port" : "flag-2");
  }
  if ((service.flags & svc_flag::kSched3) != 0) {
    add("flag-3");
  }
  return names;
}

std::string describeService(char command, const Service& service) {
  std::string text = std::string("-") + command + " " + serviceOptions(service.key);
  if (command == 'D') {
    return text;
  }
  text += " -s " + service.scheduler;
  if (service.persistent()) {
    text += " -p " + std::to_string(service.timeout);
    if (service.netmaskPrefix) {
      text += " -M " + netmaskText(service);
    }
  }
  if (const std::string flags = schedulerFlags(service); !flags.empty()) {
    text += " -b " + flags;
  }
  if ((service.flags & svc_flag::kOnePacket) != 0) {
    text += " -o";
  }
  return text;
}

std::string_view methodOption(ForwardingMethod method) {
  switch (method) {
    case ForwardingMethod::Dr:
      return "-g";
    case ForwardingMethod::Nat:
      return "-m";
    case ForwardingMethod::Tun:
      return "-i";
  }
  return "-m";
}

std::string describeDest(char command, const Service& service, const Destination& dest) {
  std::string text = std::string("-") + command + " " + serviceOptions(service.key) + " -r " +
                     endpointText(dest.key.address, dest.key.port);
  if (command == 'd') {
    return text;
  }
  text += " " + std::string(methodOption(dest.method)) + " -w " + std::to_string(dest.weight);
  if (dest.upperThreshold != 0) {
    text += " -x " + std::to_string(dest.upperThreshold);
  }
  if (dest.lowerThreshold != 0) {
    text += " -y " + std::to_string(dest.lowerThreshold);
  }
  return text;
}

}  // namespace

bool Operation::operator==(const Operation& other) const {
  if (kind != other.kind || !(service.key == other.service.key) || !service.sameAttributes(other.service)) {
    return false;
  }
  if (destination.has_value() != other.destination.has_value()) {
    return false;
  }
  return !destination ||
         (destination->key == other.destination->key && destination->sameAttributes(*other.destination));
}

Plan plan(const Table& current, const Table& wanted) {
  Plan out;
  auto cur = current.services().begin();
  auto want = wanted.services().begin();
  const auto curEnd = current.services().end();
  const auto wantEnd = wanted.services().end();
  // A merge over two sorted maps keeps the whole plan in key order.
  while (cur != curEnd || want != wantEnd) {
    if (want == wantEnd || (cur != curEnd && cur->first < want->first)) {
      out.push_back(serviceOp(OpKind::DelService, cur->second.service));
      ++cur;
    } else if (cur == curEnd || want->first < cur->first) {
      addWholeService(out, want->second);
      ++want;
    } else {
      reconcileService(out, cur->second, want->second);
      ++cur;
      ++want;
    }
  }
  return out;
}

Table ownedPart(const Table& kernel, const Table& configured) {
  Table owned;
  for (const auto& [key, entry] : kernel.services()) {
    if (configured.contains(key)) {
      VirtualService& copy = owned.addService(entry.service);
      copy.destinations = entry.destinations;
    }
  }
  return owned;
}

Plan releasePlan(const Table& kernel, const Table& owned) {
  Plan out;
  for (const auto& [key, entry] : kernel.services()) {
    if (owned.contains(key)) {
      out.push_back(serviceOp(OpKind::DelService, entry.service));
    }
  }
  return out;
}

std::string describe(const Operation& operation) {
  const Destination empty{};
  const Destination& dest = operation.destination ? *operation.destination : empty;
  switch (operation.kind) {
    case OpKind::AddService:
      return describeService('A', operation.service);
    case OpKind::EditService:
      return describeService('E', operation.service);
    case OpKind::DelService:
      return describeService('D', operation.service);
    case OpKind::AddDest:
      return describeDest('a', operation.service, dest);
    case OpKind::EditDest:
      return describeDest('e', operation.service, dest);
    case OpKind::DelDest:
      return describeDest('d', operation.service, dest);
  }
  return {};
}

std::string describe(const Plan& plan) {
  std::string text;
  for (const Operation& operation : plan) {
    text += describe(operation);
    text += '\n';
  }
  return text;
}

}  // namespace tandem::ipvs
