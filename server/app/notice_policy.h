#pragma once

#include <set>
#include <string>

namespace termijn::app {

/// Which notices are sent as soon as they are queued and which wait for a DPO's review
/// (`auto_send = false` for a rule in the configuration).
struct NoticePolicy {
  std::set<std::string> reviewed_rules;
  bool auto_send(const std::string& rule) const { return reviewed_rules.count(rule) == 0; }
};

}  // namespace termijn::app
