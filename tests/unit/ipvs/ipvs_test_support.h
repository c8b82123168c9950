#pragma once
// Small builders so that golden-plan tests read like the ipvsadm lines they assert.
#include <cstdint>
#include <string>
#include <string_view>

#include "ipvs/plan.h"

namespace tandem::ipvs::test {

inline Service tcpService(std::string_view vip, std::uint16_t port, std::string scheduler = "rr") {
  Service service;
  service.key = ServiceKey::tcp(address(vip), port);
  service.scheduler = std::move(scheduler);
  return service;
}

inline Destination dest(std::string_view rip, std::uint16_t port, std::uint32_t weight = 1,
                        ForwardingMethod method = ForwardingMethod::Dr) {
  Destination destination;
  destination.key = DestinationKey{address(rip), port};
  destination.weight = weight;
  destination.method = method;
  return destination;
}

inline Table tableOf(const Service& service, std::initializer_list<Destination> destinations) {
  Table table;
  table.addService(service);
  for (const Destination& destination : destinations) {
    table.addDestination(service.key, destination);
  }
  return table;
}

}  // namespace tandem::ipvs::test
