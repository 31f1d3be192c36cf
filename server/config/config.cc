#include "server/config/config.h"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <sys/stat.h>
#include <toml++/toml.h>

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>

#include "server/config/secure_url.h"
#include "server/domain/model.h"
#include "server/domain/rules.h"

namespace termijn::config {

namespace {

[[noreturn]] void fail(const std::string& origin, const std::string& what) {
  throw std::runtime_error(origin + ": " + what);
}

std::string required_string(const toml::table& t, std::string_view key, const std::string& where,
                            const std::string& origin) {
  const auto value = t[key].value<std::string>();
  if (!value || value->empty()) fail(origin, where + "." + std::string(key) + " is required");
  return *value;
}

// The secret of a webhook: an environment variable, or a file only its owner may read.
std::string webhook_secret(const toml::table& t, const std::string& where,
                           const std::string& origin) {
  const std::string env = t["secret_env"].value_or(std::string());
  const std::string file = t["secret_file"].value_or(std::string());
  if (env.empty() == file.empty()) fail(origin, where + ": set one of secret_env, secret_file");
  std::string secret;
  if (!env.empty()) {
    const char* value = std::getenv(env.c_str());
    if (value == nullptr || *value == '\0') {
      fail(origin, where + ".secret_env: the environment variable " + env + " is not set");
    }
    secret = value;
  } else {
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0) fail(origin, where + ".secret_file: cannot read " + file);
    if ((st.st_mode & 077) != 0) {
      fail(origin, where + ".secret_file: " + file +
                       " may be read by its group or others; chmod 600 it");
    }
    std::ifstream in(file);
    std::getline(in, secret);
  }
  while (!secret.empty() && std::isspace(static_cast<unsigned char>(secret.back()))) {
    secret.pop_back();
  }
  if (secret.size() < 16) fail(origin, where + ": the secret must have at least 16 characters");
  return secret;
}

Webhook webhook(const toml::table& t, size_t index, const std::set<std::string>& parties,
                const std::string& origin) {
  const std::string where = "webhook[" + std::to_string(index) + "]";
  Webhook w;
  w.name = required_string(t, "name", where, origin);
  for (const char c : w.name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      fail(origin, where + ".name may hold only letters, digits, - and _");
    }
  }
  w.url = required_string(t, "url", where, origin);
  if (!secure_or_loopback(w.url)) {
    fail(origin, where + ".url must be https:// (http:// only to a loopback address)");
  }
  w.party = required_string(t, "party", where, origin);
  if (!parties.count(w.party)) fail(origin, where + ".party '" + w.party + "' is not a party");
  w.secret = webhook_secret(t, where, origin);
  if (const toml::array* types = t["types"].as_array()) {
    for (const auto& type : *types) {
      const auto value = type.value<std::string>();
      if (!value || value->empty()) fail(origin, where + ".types must be non-empty strings");
      w.types.push_back(*value);
    }
  }
  w.subject = t["subject"].value_or(std::string());
  w.ca_file = t["ca_file"].value_or(std::string());
  w.timeout_seconds = t["timeout_seconds"].value_or(w.timeout_seconds);
  w.max_attempts = t["max_attempts"].value_or(w.max_attempts);
  w.retry_initial_seconds = t["retry_initial_seconds"].value_or(w.retry_initial_seconds);
  w.retry_max_seconds = t["retry_max_seconds"].value_or(w.retry_max_seconds);
  if (w.timeout_seconds < 1 || w.timeout_seconds > 300) {
    fail(origin, where + ".timeout_seconds must be between 1 and 300");
  }
  if (w.max_attempts < 1) fail(origin, where + ".max_attempts must be at least 1");
  if (w.retry_initial_seconds < 1 || w.retry_max_seconds < w.retry_initial_seconds) {
    fail(origin, where + ".retry_initial_seconds must be >= 1 and <= retry_max_seconds");
  }
  return w;
}

// Mail puts an address in To, Cc or From as it is: one a mail cannot carry (a name with it,
// brackets, two in one) would stop every mail to or from it, at runtime.
void check_address(const std::string& address, const std::string& key, const std::string& origin) {
  if (domain::is_valid_email(address)) return;
  fail(origin, key + ": '" + address +
                   "' is not a plain address like dpo@herent.example (no name, no brackets)");
}

domain::Contact contact(const toml::node_view<const toml::node>& node, const std::string& where,
                        const std::string& origin) {
  const toml::table* t = node.as_table();
  if (!t) fail(origin, where + " must be a table with name and email");
  domain::Contact c{(*t)["name"].value_or(std::string()),
                    required_string(*t, "email", where, origin)};
  check_address(c.email, where + ".email", origin);
  return c;
}

domain::Party party(const toml::table& t, size_t index, const std::string& origin) {
  const std::string where = "party[" + std::to_string(index) + "]";
  domain::Party p;
  p.id = required_string(t, "id", where, origin);
  p.name = t["name"].value_or(p.id);
  p.locale = t["locale"].value_or(std::string("nl"));
  if (p.locale != "nl" && p.locale != "en") fail(origin, where + ".locale must be nl or en");
  const std::string zone = t["time_zone"].value_or(std::string("Europe/Brussels"));
  p.zone = domain::TimeZone::find(zone);
  if (p.zone == nullptr) {
    fail(origin, where + ".time_zone '" + zone + "' is not in the tz database");
  }
  const std::string answer_from = t["answer_period_from"].value_or(std::string("receipt"));
  if (answer_from != "receipt" && answer_from != "identification") {
    fail(origin, where + ".answer_period_from must be receipt or identification");
  }
  p.answer_from_identification = answer_from == "identification";
  const std::string holidays = t["holidays"].value_or(std::string("BE"));
  if (holidays != "BE") fail(origin, where + ".holidays: only BE is supported");
  p.dpo = contact(t["dpo"], where + ".dpo", origin);
  if (t.contains("dpo_deputy")) p.dpo_deputy = contact(t["dpo_deputy"], where + ".dpo_deputy", origin);
  if (const toml::array* list = t["escalation"].as_array()) {
    for (size_t i = 0; i < list->size(); ++i) {
      p.escalation.push_back(contact(toml::node_view<const toml::node>((*list)[i]),
                                     where + ".escalation[" + std::to_string(i) + "]", origin));
    }
  }
  std::vector<domain::NamedDay> extra;
  if (const toml::array* list = t["extra_holidays"].as_array()) {
    for (size_t i = 0; i < list->size(); ++i) {
      const std::string at = where + ".extra_holidays[" + std::to_string(i) + "]";
      const toml::table* h = (*list)[i].as_table();
      const auto day = h ? (*h)["date"].value<toml::date>() : std::nullopt;
      if (!day) fail(origin, at + " needs date = YYYY-MM-DD");
      extra.push_back({date::year_month_day{date::year{day->year}, date::month{day->month},
                                            date::day{day->day}},
                       (*h)["name"].value_or(std::string("holiday"))});
    }
  }
  p.calendar = domain::HolidayCalendar::belgium(std::move(extra));
  return p;
}

Principal principal(const toml::table& t, size_t index, const std::set<std::string>& parties,
                    const std::string& origin) {
  const std::string where = "principal[" + std::to_string(index) + "]";
  Principal p;
  p.name = required_string(t, "name", where, origin);
  p.party = t["party"].value_or(std::string());
  if (const toml::array* roles = t["roles"].as_array()) {
    for (const auto& role : *roles) {
      const std::string r = role.value_or(std::string());
      if (r != "reporter" && r != "dpo" && r != "auditor") {
        fail(origin, where + ".roles: unknown role '" + r + "' (reporter, dpo, auditor)");
      }
      p.roles.push_back(r);
    }
  }
  if (p.roles.empty()) fail(origin, where + ".roles must name at least one role");
  const bool auditor_only = p.roles.size() == 1 && p.roles[0] == "auditor";
  if (p.party.empty() && !auditor_only) fail(origin, where + ".party is required");
  if (!p.party.empty() && !parties.count(p.party)) {
    fail(origin, where + ".party '" + p.party + "' is not a configured party");
  }
  p.certificate_cn = t["certificate_cn"].value_or(std::string());
  p.certificate_email = t["certificate_email"].value_or(std::string());
  if (const auto pin = t["certificate_sha256"].value<std::string>()) {
    p.certificate_sha256 = normalized_fingerprint(*pin);
    if (p.certificate_sha256.empty()) {
      fail(origin, where +
                       ".certificate_sha256 must be a SHA-256 fingerprint: 64 hex digits, "
                       "with or without colons");
    }
  }
  p.email = t["email"].value_or(std::string());
  if (!p.email.empty()) check_address(p.email, where + ".email", origin);
  if (p.certificate_cn.empty() && p.certificate_email.empty()) {
    fail(origin, where + " needs certificate_cn or certificate_email");
  }
  return p;
}

domain::EscalationPolicy escalation_policy(const toml::node_view<const toml::node>& node,
                                           const std::string& where, const std::string& origin) {
  const toml::array* list = node.as_array();
  if (!list) fail(origin, where + ".reminders must be an array of { at, every, to }");
  domain::EscalationPolicy policy;
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string at_where = where + ".reminders[" + std::to_string(i) + "]";
    const toml::table* t = (*list)[i].as_table();
    if (!t) fail(origin, at_where + " must be a table { at, every, to }");
    std::vector<domain::Audience> to;
    if (const toml::array* names = (*t)["to"].as_array()) {
      for (const auto& n : *names) {
        const std::string name = n.value_or(std::string());
        if (name == "owner_dpo") {
          to.push_back(domain::Audience::kOwnerDpo);
        } else if (name == "owner_escalation") {
          to.push_back(domain::Audience::kOwnerEscalation);
        } else if (name == "reporter") {
          to.push_back(domain::Audience::kReporter);
        } else {
          fail(origin, at_where + ".to: unknown recipient '" + name +
                           "' (owner_dpo, owner_escalation, reporter)");
        }
      }
    }
    std::string error;
    auto step = domain::parse_step((*t)["at"].value_or(std::string()),
                                   (*t)["every"].value_or(std::string()), std::move(to), &error);
    if (!step) fail(origin, at_where + ": " + error);
    policy.steps.push_back(std::move(*step));
  }
  return policy;
}

}  // namespace

Config parse_config(const std::string& text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << "line " << e.source().begin.line << ": " << e.description();
    fail(origin, msg.str());
  }
  Config c;
  std::set<std::string> ids;
  if (const toml::array* parties = root["party"].as_array()) {
    for (size_t i = 0; i < parties->size(); ++i) {
      const toml::table* t = (*parties)[i].as_table();
      if (!t) fail(origin, "party[" + std::to_string(i) + "] must be a table");
      c.parties.push_back(party(*t, i, origin));
      if (!ids.insert(c.parties.back().id).second) {
        fail(origin, "party id '" + c.parties.back().id + "' appears twice");
      }
    }
  }
  if (c.parties.size() < 2) fail(origin, "at least two [[party]] entries are needed");
  if (const toml::array* principals = root["principal"].as_array()) {
    std::set<std::string> names;
    for (size_t i = 0; i < principals->size(); ++i) {
      const toml::table* t = (*principals)[i].as_table();
      if (!t) fail(origin, "principal[" + std::to_string(i) + "] must be a table");
      c.principals.push_back(principal(*t, i, ids, origin));
      if (!names.insert(c.principals.back().name).second) {
        fail(origin, "principal name '" + c.principals.back().name + "' appears twice");
      }
    }
  }
  c.tls.ca_file = root["tls"]["ca_file"].value_or(std::string());
  c.tls.cert_file = root["tls"]["cert_file"].value_or(std::string());
  c.tls.key_file = root["tls"]["key_file"].value_or(std::string());
  c.tls.crl_file = root["tls"]["crl_file"].value_or(std::string());
  c.audit.signing_key_file = root["audit"]["signing_key_file"].value_or(std::string());
  c.audit.checkpoint_interval_hours = root["audit"]["checkpoint_interval_hours"].value_or(24);
  if (c.audit.checkpoint_interval_hours < 1 || c.audit.checkpoint_interval_hours > 24 * 7) {
    fail(origin, "audit.checkpoint_interval_hours must be between 1 and 168");
  }
  c.database.url = root["database"]["url"].value_or(std::string());
  c.database.pool_size = root["database"]["pool_size"].value_or(8);
  c.database.sslmode = root["database"]["sslmode"].value_or(std::string());
  c.database.sslrootcert = root["database"]["sslrootcert"].value_or(std::string());
  c.database.sslcert = root["database"]["sslcert"].value_or(std::string());
  c.database.sslkey = root["database"]["sslkey"].value_or(std::string());
  static const std::set<std::string> kSslModes{"",        "disable",   "allow",    "prefer",
                                               "require", "verify-ca", "verify-full"};
  if (!kSslModes.count(c.database.sslmode)) {
    fail(origin, "database.sslmode '" + c.database.sslmode +
                     "' is not one of disable, allow, prefer, require, verify-ca, verify-full");
  }
  // Two at least: background workers may hold all connections but one, which calls keep.
  if (c.database.pool_size < 2 || c.database.pool_size > 100) {
    fail(origin, "database.pool_size must be between 2 and 100 (the background workers hold one "
                 "connection while calls use another)");
  }
  c.database.acquire_timeout_ms =
      root["database"]["acquire_timeout_ms"].value_or(c.database.acquire_timeout_ms);
  c.database.statement_timeout_ms =
      root["database"]["statement_timeout_ms"].value_or(c.database.statement_timeout_ms);
  c.database.lock_timeout_ms =
      root["database"]["lock_timeout_ms"].value_or(c.database.lock_timeout_ms);
  for (const auto& [name, value] :
       {std::pair<const char*, int>{"acquire_timeout_ms", c.database.acquire_timeout_ms},
        {"statement_timeout_ms", c.database.statement_timeout_ms},
        {"lock_timeout_ms", c.database.lock_timeout_ms}}) {
    if (value < 100 || value > 600000) {
      fail(origin, "database." + std::string(name) + " must be between 100 and 600000");
    }
  }
  c.max_copy_bytes = root["limits"]["max_copy_bytes"].value_or(int64_t{10 * 1024 * 1024});
  const auto mail = root["mail"];
  c.mail.from = mail["from"].value_or(c.mail.from);
  check_address(c.mail.from, "mail.from", origin);
  c.mail.eml_dir = mail["eml_dir"].value_or(std::string());
  c.mail.smtp_url = mail["smtp_url"].value_or(std::string());
  c.mail.smtp_user = mail["smtp_user"].value_or(std::string());
  c.mail.smtp_password = mail["smtp_password"].value_or(std::string());
  c.mail.require_starttls = mail["require_starttls"].value_or(true);
  c.mail.ca_file = mail["ca_file"].value_or(std::string());
  c.mail.helo_domain = mail["helo_domain"].value_or(std::string());
  c.mail.max_attempts = mail["max_attempts"].value_or(8);
  c.mail.retry_initial_seconds = mail["retry_initial_seconds"].value_or(30);
  c.mail.retry_max_seconds = mail["retry_max_seconds"].value_or(1800);
  c.mail.templates_dir = mail["templates_dir"].value_or(std::string());
  if (c.mail.max_attempts < 1) fail(origin, "mail.max_attempts must be at least 1");
  c.mail.connections = mail["connections"].value_or(c.mail.connections);
  if (c.mail.connections < 1 || c.mail.connections > 32) {
    fail(origin, "mail.connections must be between 1 and 32");
  }
  c.mail.connect_timeout_seconds =
      mail["connect_timeout_seconds"].value_or(c.mail.connect_timeout_seconds);
  c.mail.timeout_seconds = mail["timeout_seconds"].value_or(c.mail.timeout_seconds);
  for (const auto& [name, value] :
       {std::pair<const char*, int>{"connect_timeout_seconds", c.mail.connect_timeout_seconds},
        {"timeout_seconds", c.mail.timeout_seconds}}) {
    if (value < 1 || value > 3600) {
      fail(origin, "mail." + std::string(name) + " must be between 1 and 3600");
    }
  }
  if (c.mail.retry_initial_seconds < 1 || c.mail.retry_max_seconds < c.mail.retry_initial_seconds) {
    fail(origin, "mail.retry_initial_seconds must be >= 1 and <= mail.retry_max_seconds");
  }
  if (const toml::table* rules = root["rules"].as_table()) {
    for (const auto& [id, node] : *rules) {
      const std::string rule(id.str());
      if (!domain::find_rule(rule)) fail(origin, "rules.\"" + rule + "\" is not a known rule");
      const toml::table* t = node.as_table();
      if (!t) fail(origin, "rules.\"" + rule + "\" must be a table");
      if (!(*t)["auto_send"].value_or(true)) c.reviewed_rules.insert(rule);
      if (t->contains("reminders")) {
        c.escalation[rule] = escalation_policy((*t)["reminders"], "rules." + rule, origin);
      }
      if (t->contains("target_hours")) {
        // Only where the law says "immediately" or "without undue delay" is the period policy.
        if (!domain::find_rule(rule)->policy_target) {
          fail(origin, "rules.\"" + rule + "\".target_hours: the period of " + rule +
                           " is set by law, not by policy");
        }
        const std::optional<int64_t> hours = (*t)["target_hours"].value<int64_t>();
        if (!hours || *hours < 1 || *hours > 24 * 365) {
          fail(origin, "rules.\"" + rule +
                           "\".target_hours must be a whole number of hours "
                           "between 1 and 8760");
        }
        c.targets[rule] = domain::Period::hours(static_cast<int>(*hours));
      }
    }
  }
  if (const toml::array* hooks = root["webhook"].as_array()) {
    std::set<std::string> names;
    for (size_t i = 0; i < hooks->size(); ++i) {
      const toml::table* t = (*hooks)[i].as_table();
      if (!t) fail(origin, "webhook[" + std::to_string(i) + "] must be a table");
      c.webhooks.push_back(webhook(*t, i, ids, origin));
      if (!names.insert(c.webhooks.back().name).second) {
        fail(origin, "webhook name '" + c.webhooks.back().name + "' appears twice");
      }
    }
  }
  if (c.max_copy_bytes < 1 || c.max_copy_bytes > kMaxCopyBytesLimit) {
    fail(origin, "limits.max_copy_bytes must be between 1 and " +
                     std::to_string(kMaxCopyBytesLimit) + " (64 MiB)");
  }
  c.web.listen = root["web"]["listen"].value_or(std::string());
  c.web.proxy_header = root["web"]["proxy_header"].value_or(c.web.proxy_header);
  c.web.form_key_file = root["web"]["form_key_file"].value_or(std::string());
  if (const toml::array* proxies = root["web"]["trusted_proxies"].as_array()) {
    for (const auto& node : *proxies) {
      const auto address = node.value<std::string>();
      in6_addr ip{};
      // Addresses, not names: a name could resolve anywhere.
      if (!address || (inet_pton(AF_INET, address->c_str(), &ip) != 1 &&
                       inet_pton(AF_INET6, address->c_str(), &ip) != 1)) {
        fail(origin, "web.trusted_proxies: '" + address.value_or("") + "' is not an IP address");
      }
      c.web.trusted_proxies.push_back(*address);
    }
  }
  if (const toml::array* proxies = root["web"]["proxy_principals"].as_array()) {
    for (const auto& node : *proxies) {
      const auto name = node.value<std::string>();
      const bool configured =
          name && std::any_of(c.principals.begin(), c.principals.end(),
                              [&](const Principal& p) { return p.name == *name; });
      if (!configured) {
        fail(origin, "web.proxy_principals: '" + name.value_or("") +
                         "' is not a configured [[principal]]");
      }
      c.web.proxy_principals.push_back(*name);
    }
  }
  if (!c.web.trusted_proxies.empty() && c.web.proxy_principals.empty()) {
    // Else any principal's certificate, from a proxy's address, could name any other.
    fail(origin, "web.proxy_principals: name the [[principal]] whose certificate the proxies at "
                 "web.trusted_proxies present");
  }
  if (!c.web.listen.empty() && c.web.listen.rfind(':') == std::string::npos) {
    fail(origin, "web.listen must be HOST:PORT");
  }
  return c;
}

namespace {

// The keywords libpq reads from a connection string (URI or key=value); empty if it is invalid.
std::map<std::string, std::string> conninfo(const std::string& url) {
  std::map<std::string, std::string> values;
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
      PQconninfoParse(url.c_str(), &error), &PQconninfoFree);
  PQfreemem(error);
  if (!options) return values;
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (o->val != nullptr && *o->val != '\0') values[o->keyword] = o->val;
  }
  return values;
}

// A host in a connection string that is not this machine: not a unix socket folder, not
// loopback. "host" may list several, comma-separated.
bool names_another_host(const std::map<std::string, std::string>& values) {
  for (const char* key : {"host", "hostaddr"}) {
    const auto it = values.find(key);
    if (it == values.end()) continue;
    std::stringstream hosts(it->second);
    for (std::string host; std::getline(hosts, host, ',');) {
      const bool local = host.empty() || host[0] == '/' || host[0] == '@' || host == "localhost" ||
                         host == "::1" || host.rfind("127.", 0) == 0;
      if (!local) return true;
    }
  }
  return false;
}

}  // namespace

std::string normalized_fingerprint(const std::string& text) {
  std::string hex;
  for (const char c : text) {
    if (c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return "";
    hex += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return hex.size() == 64 ? hex : "";
}

std::string with_tls(const std::string& url, const Database& db) {
  const bool uri = url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
  const auto values = conninfo(url);
  Database tls = db;
  // Without verify-full a man in the middle can read the breach descriptions on their way.
  if (tls.sslmode.empty() && !values.count("sslmode") && names_another_host(values)) {
    tls.sslmode = "verify-full";
  }
  std::string out = url;
  bool first = uri && url.find('?') == std::string::npos;
  for (const auto& [key, value] :
       {std::pair<const char*, const std::string&>{"sslmode", tls.sslmode},
        {"sslrootcert", tls.sslrootcert},
        {"sslcert", tls.sslcert},
        {"sslkey", tls.sslkey}}) {
    if (value.empty()) continue;
    if (uri) {
      out += (first ? "?" : "&") + std::string(key) + "=" + value;
      first = false;
    } else {
      out += " " + std::string(key) + "='" + value + "'";
    }
  }
  return out;
}

std::vector<std::string> security_warnings(const std::string& config_file, const Config& config,
                                           const std::string& database_url) {
  std::vector<std::string> warnings;
  struct stat file {};
  const bool has_password =
      !config.mail.smtp_password.empty() || conninfo(config.database.url).count("password");
  if (has_password && ::stat(config_file.c_str(), &file) == 0 && (file.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", file.st_mode & 07777);
    warnings.push_back(config_file + " holds a password (mail.smtp_password or database.url) " +
                       "and other local users can read it (mode " + mode +
                       "): chmod 600 it, or use TERMIJN_SMTP_PASSWORD / PGPASSWORD / a 0600 "
                       "PGPASSFILE");
  }
  const auto values = conninfo(database_url);
  const auto mode = values.find("sslmode");
  if (names_another_host(values) && mode != values.end() && mode->second != "verify-full") {
    warnings.push_back("database: sslmode=" + mode->second +
                       " to another host does not check the server's certificate and name; "
                       "use verify-full");
  }
  return warnings;
}

std::string command_line_password(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    const size_t equals = arg.find('=');
    const bool option = arg.rfind("--", 0) == 0;
    const std::string name = option ? arg.substr(0, equals) : std::string();
    const std::string value = !option                       ? std::string()
                              : equals != std::string::npos ? arg.substr(equals + 1)
                              : i + 1 < args.size()         ? args[i + 1]
                                                            : std::string();
    if (name.ends_with("database-url") && conninfo(value).count("password")) {
      return name +
             " holds a password, which every local user can read on the command line: "
             "pass the URL in TERMIJN_DATABASE_URL, or the password in PGPASSWORD or a "
             "0600 PGPASSFILE";
    }
  }
  return "";
}

Config load_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot be read");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_config(buffer.str(), path);
}

}  // namespace termijn::config
