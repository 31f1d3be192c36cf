#pragma once

#include <map>
#include <set>
#include <string>

#include "server/domain/escalation.h"
#include "server/domain/rules.h"

namespace termijn::app {

/// What the configuration says per rule: whether notices wait for a DPO's review
/// (`auto_send = false`), when reminders and escalations fire, and the targets of the rules whose
/// period is policy.
struct RulePolicies {
  std::set<std::string> reviewed_rules;
  std::map<std::string, domain::EscalationPolicy> escalation;  ///< configured; else the default
  domain::PolicyTargets targets;  ///< configured targets of policy-target rules

  bool auto_send(const std::string& rule) const { return reviewed_rules.count(rule) == 0; }

  domain::EscalationPolicy escalation_for(const std::string& rule) const {
    if (const auto it = escalation.find(rule); it != escalation.end()) return it->second;
    const domain::Rule* r = domain::find_rule(rule);
    return r ? domain::default_policy(*r) : domain::EscalationPolicy{};
  }
};

}  // namespace termijn::app
