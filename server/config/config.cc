#include "server/config/config.h"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <sys/stat.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <initializer_list>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <vector>

#include "server/config/files.h"
#include "server/config/secure_url.h"
#include "server/config/toml_reader.h"
#include "server/domain/model.h"
#include "server/domain/rules.h"

namespace termijn::config {

namespace {

using Table = TomlReader::Table;

// The secret of a webhook: an environment variable, or a file only its owner may read.
std::string webhook_secret(const Table& t) {
  const std::string env = t.string_or("secret_env", "");
  const std::string file = t.string_or("secret_file", "");
  if (env.empty() == file.empty()) t.fail(t.path() + ": set one of secret_env, secret_file");
  std::string secret;
  if (!env.empty()) {
    const char* value = std::getenv(env.c_str());
    if (value == nullptr || *value == '\0') {
      t.fail(t.name("secret_env") + ": the environment variable " + env + " is not set");
    }
    secret = value;
  } else {
    const absl::StatusOr<std::string> text = read_private_file(file);
    if (!text.ok()) t.fail(t.name("secret_file") + ": " + std::string(text.status().message()));
    secret = text->substr(0, text->find('\n'));
  }
  while (!secret.empty() && std::isspace(static_cast<unsigned char>(secret.back()))) {
    secret.pop_back();
  }
  if (secret.size() < 16) t.fail(t.path() + ": the secret must have at least 16 characters");
  return secret;
}

// Retries back off from `retry_initial_seconds` to `retry_max_seconds`.
std::pair<int, int> retry_seconds(const Table& t, int initial, int max) {
  initial = static_cast<int>(t.integer_or("retry_initial_seconds", initial, 1, 86400));
  max = static_cast<int>(t.integer_or("retry_max_seconds", max, 1, 7 * 86400));
  if (max < initial) t.fail(t.name("retry_initial_seconds") + " must be at most retry_max_seconds");
  return {initial, max};
}

Webhook webhook(const Table& t, const std::set<std::string>& parties) {
  Webhook w;
  w.name = t.required_string("name");
  for (const char c : w.name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      t.fail(t.name("name") + " may hold only letters, digits, - and _");
    }
  }
  w.url = t.required_string("url");
  if (!secure_or_loopback(w.url)) {
    t.fail(t.name("url") +
           " must be https:// (http:// only to a loopback address), with no user or password in "
           "it");
  }
  w.party = t.required_string("party");
  if (!parties.count(w.party)) t.fail(t.name("party") + " '" + w.party + "' is not a party");
  w.secret = webhook_secret(t);
  w.types = t.strings("types");
  w.subject = t.string_or("subject", "");
  w.ca_file = t.string_or("ca_file", "");
  w.timeout_seconds = static_cast<int>(t.integer_or("timeout_seconds", w.timeout_seconds, 1, 300));
  w.max_attempts = static_cast<int>(t.integer_or("max_attempts", w.max_attempts, 1, 100));
  std::tie(w.retry_initial_seconds, w.retry_max_seconds) =
      retry_seconds(t, w.retry_initial_seconds, w.retry_max_seconds);
  return w;
}

// Mail puts an address in To, Cc or From as it is: one a mail cannot carry (a name with it,
// brackets, two in one) would stop every mail to or from it, at runtime.
std::string address(const Table& t, std::string_view key, const std::string& value) {
  if (!value.empty() && !domain::is_valid_email(value)) {
    t.fail(t.name(key) + ": '" + value +
           "' is not a plain address like dpo@herent.example (no name, no brackets)");
  }
  return value;
}

domain::Contact contact(const Table& t) {
  return domain::Contact{t.string_or("name", ""), address(t, "email", t.required_string("email"))};
}

domain::Party party(const Table& t) {
  domain::Party p;
  p.id = t.required_string("id");
  p.name = t.string_or("name", p.id);
  p.locale = t.string_or("locale", "nl");
  if (p.locale != "nl" && p.locale != "en") t.fail(t.name("locale") + " must be nl or en");
  const std::string zone = t.string_or("time_zone", "Europe/Brussels");
  p.zone = domain::TimeZone::find(zone);
  if (p.zone == nullptr) {
    t.fail(t.name("time_zone") + " '" + zone + "' is not in the tz database");
  }
  const std::string answer_from = t.string_or("answer_period_from", "receipt");
  if (answer_from != "receipt" && answer_from != "identification") {
    t.fail(t.name("answer_period_from") + " must be receipt or identification");
  }
  p.answer_from_identification = answer_from == "identification";
  if (t.string_or("holidays", "BE") != "BE") t.fail(t.name("holidays") + ": only BE is supported");
  p.dpo = contact(t.table("dpo"));
  if (t.contains("dpo_deputy")) p.dpo_deputy = contact(t.table("dpo_deputy"));
  for (const Table& e : t.tables("escalation")) p.escalation.push_back(contact(e));
  std::vector<domain::NamedDay> extra;
  for (const Table& h : t.tables("extra_holidays")) {
    const std::optional<toml::date> day = h.date("date");
    if (!day) h.fail(h.path() + " needs date = YYYY-MM-DD");
    extra.push_back(
        {date::year_month_day{date::year{day->year}, date::month{day->month}, date::day{day->day}},
         h.string_or("name", "holiday")});
  }
  p.calendar = domain::HolidayCalendar::belgium(std::move(extra));
  return p;
}

Principal principal(const Table& t, const std::set<std::string>& parties) {
  Principal p;
  p.name = t.required_string("name");
  p.party = t.string_or("party", "");
  p.roles = t.strings("roles");
  for (const std::string& r : p.roles) {
    if (r != "reporter" && r != "dpo" && r != "auditor") {
      t.fail(t.name("roles") + ": unknown role '" + r + "' (reporter, dpo, auditor)");
    }
  }
  if (p.roles.empty()) t.fail(t.name("roles") + " must name at least one role");
  const bool auditor_only = p.roles.size() == 1 && p.roles[0] == "auditor";
  if (p.party.empty() && !auditor_only) t.fail(t.name("party") + " is required");
  if (!p.party.empty() && !parties.count(p.party)) {
    t.fail(t.name("party") + " '" + p.party + "' is not a configured party");
  }
  p.certificate_cn = t.string_or("certificate_cn", "");
  p.certificate_email = t.string_or("certificate_email", "");
  if (const auto pin = t.string("certificate_sha256")) {
    p.certificate_sha256 = normalized_fingerprint(*pin);
    if (p.certificate_sha256.empty()) {
      t.fail(t.name("certificate_sha256") +
             " must be a SHA-256 fingerprint: 64 hex digits, with or without colons");
    }
  }
  p.email = address(t, "email", t.string_or("email", ""));
  if (p.certificate_cn.empty() && p.certificate_email.empty()) {
    t.fail(t.path() + " needs certificate_cn or certificate_email");
  }
  return p;
}

domain::EscalationPolicy escalation_policy(const Table& rule) {
  domain::EscalationPolicy policy;
  for (const Table& t : rule.tables("reminders")) {
    std::vector<domain::Audience> to;
    for (const std::string& name : t.strings("to")) {
      if (name == "owner_dpo") {
        to.push_back(domain::Audience::kOwnerDpo);
      } else if (name == "owner_escalation") {
        to.push_back(domain::Audience::kOwnerEscalation);
      } else if (name == "reporter") {
        to.push_back(domain::Audience::kReporter);
      } else {
        t.fail(t.name("to") + ": unknown recipient '" + name +
               "' (owner_dpo, owner_escalation, reporter)");
      }
    }
    std::string error;
    auto step =
        domain::parse_step(t.string_or("at", ""), t.string_or("every", ""), std::move(to), &error);
    if (!step) t.fail(t.path() + ": " + error);
    policy.steps.push_back(std::move(*step));
  }
  return policy;
}

void read_rules(const Table& rules, Config& c) {
  for (const auto& [rule, t] : rules.subtables()) {
    const domain::Rule* known = domain::find_rule(rule);
    if (known == nullptr) t.fail(t.path() + " is not a known rule");
    if (!t.boolean_or("auto_send", true)) c.reviewed_rules.insert(rule);
    if (t.contains("reminders")) c.escalation[rule] = escalation_policy(t);
    if (t.contains("target_hours")) {
      // Only where the law says "immediately" or "without undue delay" is the period policy.
      if (!known->policy_target) {
        t.fail(t.name("target_hours") + ": the period of " + rule +
               " is set by law, not by policy");
      }
      c.targets[rule] =
          domain::Period::hours(static_cast<int>(t.integer_or("target_hours", 0, 1, 24 * 365)));
    }
  }
}

void read_database(const Table& t, Database& db) {
  db.url = t.string_or("url", "");
  // Two at least: background workers may hold all connections but one, which calls keep.
  db.pool_size = static_cast<int>(t.integer_or("pool_size", db.pool_size, 2, 100));
  db.sslmode = t.string_or("sslmode", "");
  db.sslrootcert = t.string_or("sslrootcert", "");
  db.sslcert = t.string_or("sslcert", "");
  db.sslkey = t.string_or("sslkey", "");
  static const std::set<std::string> kSslModes{"",        "disable",   "allow",      "prefer",
                                               "require", "verify-ca", "verify-full"};
  if (!kSslModes.count(db.sslmode)) {
    t.fail(t.name("sslmode") + " '" + db.sslmode +
           "' is not one of disable, allow, prefer, require, verify-ca, verify-full");
  }
  for (auto [key, value] :
       {std::pair<const char*, int*>{"acquire_timeout_ms", &db.acquire_timeout_ms},
        {"statement_timeout_ms", &db.statement_timeout_ms},
        {"lock_timeout_ms", &db.lock_timeout_ms}}) {
    *value = static_cast<int>(t.integer_or(key, *value, 100, 600000));
  }
}

void read_mail(const Table& t, Mail& m) {
  m.from = address(t, "from", t.string_or("from", m.from));
  m.eml_dir = t.string_or("eml_dir", "");
  m.smtp_url = t.string_or("smtp_url", "");
  m.smtp_user = t.string_or("smtp_user", "");
  m.smtp_password = t.string_or("smtp_password", "");
  m.require_starttls = t.boolean_or("require_starttls", m.require_starttls);
  m.ca_file = t.string_or("ca_file", "");
  m.helo_domain = t.string_or("helo_domain", "");
  m.templates_dir = t.string_or("templates_dir", "");
  m.max_attempts = static_cast<int>(t.integer_or("max_attempts", m.max_attempts, 1, 100));
  std::tie(m.retry_initial_seconds, m.retry_max_seconds) =
      retry_seconds(t, m.retry_initial_seconds, m.retry_max_seconds);
  m.connections = static_cast<int>(t.integer_or("connections", m.connections, 1, 32));
  m.connect_timeout_seconds =
      static_cast<int>(t.integer_or("connect_timeout_seconds", m.connect_timeout_seconds, 1, 3600));
  m.timeout_seconds = static_cast<int>(t.integer_or("timeout_seconds", m.timeout_seconds, 1, 3600));
}

void read_web(const Table& t, const std::vector<Principal>& principals, Web& w) {
  w.listen = t.string_or("listen", "");
  if (!w.listen.empty() && w.listen.rfind(':') == std::string::npos) {
    t.fail(t.name("listen") + " must be HOST:PORT");
  }
  w.proxy_header = t.string_or("proxy_header", w.proxy_header);
  w.form_key_file = t.string_or("form_key_file", "");
  for (const std::string& address : t.strings("trusted_proxies")) {
    in6_addr ip{};
    // Addresses, not names: a name could resolve anywhere.
    if (inet_pton(AF_INET, address.c_str(), &ip) != 1 &&
        inet_pton(AF_INET6, address.c_str(), &ip) != 1) {
      t.fail(t.name("trusted_proxies") + ": '" + address + "' is not an IP address");
    }
    w.trusted_proxies.push_back(address);
  }
  for (const std::string& name : t.strings("proxy_principals")) {
    if (std::none_of(principals.begin(), principals.end(),
                     [&](const Principal& p) { return p.name == name; })) {
      t.fail(t.name("proxy_principals") + ": '" + name + "' is not a configured [[principal]]");
    }
    w.proxy_principals.push_back(name);
  }
  if (!w.trusted_proxies.empty() && w.proxy_principals.empty()) {
    // Else any principal's certificate, from a proxy's address, could name any other.
    t.fail(t.name("proxy_principals") +
           ": name the [[principal]] whose certificate the proxies "
           "at web.trusted_proxies present");
  }
}

}  // namespace

Config parse_config(const std::string& text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << origin << ": line " << e.source().begin.line << ": " << e.description();
    throw std::runtime_error(msg.str());
  }
  const TomlReader reader(root, origin);
  const Table file = reader.root();
  Config c;
  std::set<std::string> ids;
  for (const Table& t : file.tables("party")) {
    c.parties.push_back(party(t));
    if (!ids.insert(c.parties.back().id).second) {
      t.fail("party id '" + c.parties.back().id + "' appears twice");
    }
  }
  if (c.parties.size() < 2) file.fail("at least two [[party]] entries are needed");
  std::set<std::string> names;
  for (const Table& t : file.tables("principal")) {
    c.principals.push_back(principal(t, ids));
    if (!names.insert(c.principals.back().name).second) {
      t.fail("principal name '" + c.principals.back().name + "' appears twice");
    }
  }
  const Table tls = file.table("tls");
  c.tls.ca_file = tls.string_or("ca_file", "");
  c.tls.cert_file = tls.string_or("cert_file", "");
  c.tls.key_file = tls.string_or("key_file", "");
  c.tls.crl_file = tls.string_or("crl_file", "");
  const Table audit = file.table("audit");
  c.audit.signing_key_file = audit.string_or("signing_key_file", "");
  c.audit.checkpoint_interval_hours = static_cast<int>(
      audit.integer_or("checkpoint_interval_hours", c.audit.checkpoint_interval_hours, 1, 24 * 7));
  for (const std::string& key : audit.strings("previous_public_keys")) {
    const std::string hex = normalized_fingerprint(key);
    if (hex.empty()) {
      audit.fail(
          audit.name("previous_public_keys") + ": '" + key +
          "' is not an Ed25519 public key: 64 hex digits, as termijnd logs its key at start");
    }
    c.audit.previous_public_keys.push_back(hex);
  }
  read_database(file.table("database"), c.database);
  c.max_copy_bytes =
      file.table("limits").integer_or("max_copy_bytes", c.max_copy_bytes, 1, kMaxCopyBytesLimit);
  read_mail(file.table("mail"), c.mail);
  read_rules(file.table("rules"), c);
  names.clear();
  for (const Table& t : file.tables("webhook")) {
    c.webhooks.push_back(webhook(t, ids));
    if (!names.insert(c.webhooks.back().name).second) {
      t.fail("webhook name '" + c.webhooks.back().name + "' appears twice");
    }
  }
  read_web(file.table("web"), c.principals, c.web);
  reader.refuse_unknown();
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

namespace {

// `url` with each (key, value) of `params` whose value is not empty added, as URI query
// parameters or conninfo keywords.
std::string with_params(const std::string& url,
                        const std::vector<std::pair<std::string, std::string>>& params) {
  const bool uri = url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
  std::string out = url;
  for (const auto& [key, value] : params) {
    if (value.empty()) continue;
    if (uri) {
      // "?" before the first parameter, "&" between two, nothing after a trailing "?" or "&".
      if (out.find('?') == std::string::npos) {
        out += '?';
      } else if (out.back() != '?' && out.back() != '&') {
        out += '&';
      }
      out += key + "=" + value;
    } else {
      out += " " + key + "='" + value + "'";
    }
  }
  return out;
}

}  // namespace

std::string with_tls(const std::string& url, const Database& db) {
  const auto values = conninfo(url);
  Database tls = db;
  // Without verify-full a man in the middle can read the breach descriptions on their way.
  if (tls.sslmode.empty() && !values.count("sslmode") && names_another_host(values)) {
    tls.sslmode = "verify-full";
  }
  return with_params(url, {{"sslmode", tls.sslmode},
                           {"sslrootcert", tls.sslrootcert},
                           {"sslcert", tls.sslcert},
                           {"sslkey", tls.sslkey}});
}

std::string with_client_timeouts(const std::string& url) {
  const auto values = conninfo(url);
  std::vector<std::pair<std::string, std::string>> params;
  for (const auto& [key, value] :
       std::initializer_list<std::pair<const char*, const char*>>{{"connect_timeout", "10"},
                                                                  {"keepalives_idle", "30"},
                                                                  {"keepalives_interval", "10"},
                                                                  {"keepalives_count", "3"},
                                                                  {"tcp_user_timeout", "30000"}}) {
    if (!values.count(key)) params.emplace_back(key, value);
  }
  return with_params(url, params);
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
  const absl::StatusOr<std::string> text = read_file(path);
  if (!text.ok()) throw std::runtime_error(std::string(text.status().message()));
  return parse_config(*text, path);
}

}  // namespace termijn::config
