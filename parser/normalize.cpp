#include "parser/normalize.h"

namespace tandem::config {
namespace {

void resolveInstance(VrrpInstance& i, const GlobalDefs& g) {
  i.state = i.initialState();
  i.priority = i.effectivePriority();
  i.version = i.effectiveVersion(g);
  i.garp_master_delay = i.effectiveGarpMasterDelay(g);
  i.garp_master_repeat = i.effectiveGarpMasterRepeat(g);
  i.down_timer_adverts = i.effectiveDownTimerAdverts();
  if (i.interface.empty()) i.interface = i.effectiveInterface(g);
}

void resolveVirtualServer(VirtualServer& vs) {
  vs.lvs_sched = effectiveScheduler(vs);
  vs.lvs_method = effectiveForwarding(vs);
  if (vs.kind == VirtualServerKind::Address) vs.protocol = effectiveProtocol(vs);
  for (RealServer& rs : vs.real_servers) {
    const EffectiveRealServer effective = effectiveRealServer(vs, rs);
    for (Checker& c : rs.checkers) {
      // FILE_CHECK and BFD_CHECK follow something else's state; they have no timers.
      if (c.type == CheckerType::File || c.type == CheckerType::Bfd) continue;
      const EffectiveChecker ec = effectiveChecker(vs, rs, c);
      if (c.type != CheckerType::Misc) c.connect_timeout = ec.connect_timeout;
      c.delay_loop = ec.delay_loop;
      c.retry = ec.retry;
      c.delay_before_retry = ec.delay_before_retry;
    }
    rs.weight = effective.weight;
    rs.lvs_method = effective.forwarding;
  }
}

}  // namespace

Config withDefaultsResolved(const Config& config) {
  Config out = config;
  for (VrrpInstance& i : out.vrrp.instances) resolveInstance(i, out.global);
  for (VirtualServer& vs : out.lvs.virtual_servers) resolveVirtualServer(vs);
  return out;
}

}  // namespace tandem::config
