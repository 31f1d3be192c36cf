#include "server/web/web_console.h"

#include <absl/strings/str_split.h>
#include <arpa/inet.h>
#include <httplib.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <cmath>
#include <kainjow/mustache.hpp>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <type_traits>

#include "client/csv.h"
#include "client/register_csv.h"
#include "proto/enum_names.h"
#include "server/api/convert.h"
#include "server/api/principal.h"
#include "server/api/register_pages.h"
#include "server/app/actor.h"
#include "server/app/limits.h"
#include "server/app/sha256.h"
#include "server/app/views.h"
#include "server/config/files.h"
#include "server/domain/escalation.h"
#include "server/domain/events.h"
#include "server/domain/media_type.h"
#include "server/domain/rules.h"
#include "server/web/charts.h"
#include "server/web/connection_threads.h"
#include "server/web/form_tokens.h"
#include "server/web/handshake_guard.h"
#include "server/web/head_limit.h"
#include "server/web/i18n.h"
#include "server/web/server_identity.h"

namespace termijn::web {

namespace mu = kainjow::mustache;

namespace {

constexpr const char* kCsrfCookie = "__Host-termijn-csrf";
constexpr const char* kLangCookie = "termijn-lang";
constexpr int kRefreshSeconds = 60;
// The deadlines the dashboard shows at once; a link leads to the next.
constexpr size_t kDashboardRows = 500;
// Connections served at once, each on a thread of its own (ConnectionThreads): far more than
// the browsers of a team of DPOs keep open, so that idle ones hold nobody up.
constexpr size_t kMaxConnections = 256;
// A TLS handshake takes milliseconds; one still under way after 10 s is cut off
// (HandshakeGuard), as is one from an address with 16 under way already; with 64 under way in
// all, the oldest is, so that at least 192 threads are left for connections past theirs.
constexpr HandshakeGuard::Bounds kHandshakeBounds{std::chrono::seconds(10), 16, 64};
// A request's head (its line, cookies and other headers) as TLS records: a browser's takes a
// few KiB (HeadLimit).
constexpr size_t kMaxHeadBytes = 64 * 1024;
// Every page: no inline script or style, nothing from elsewhere, no framing.
constexpr const char* kCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

std::string cookie(const httplib::Request& req, const std::string& name) {
  const std::string header = req.get_header_value("Cookie");
  for (std::string part : std::vector<std::string>(absl::StrSplit(header, ';'))) {
    part.erase(0, part.find_first_not_of(' '));
    if (part.size() > name.size() && part.compare(0, name.size(), name) == 0 &&
        part[name.size()] == '=') {
      return part.substr(name.size() + 1);
    }
  }
  return {};
}

// A form field, urlencoded or multipart.
std::string field(const httplib::Request& req, const std::string& name) {
  if (req.has_param(name)) return req.get_param_value(name);
  if (req.has_file(name)) return req.get_file_value(name).content;
  return {};
}

std::vector<std::string> fields(const httplib::Request& req, const std::string& name) {
  std::vector<std::string> values;
  for (size_t i = 0; i < req.get_param_value_count(name); ++i) {
    values.push_back(req.get_param_value(name, i));
  }
  const auto [from, to] = req.files.equal_range(name);  // forms are sent as multipart
  for (auto part = from; part != to; ++part) values.push_back(part->second.content);
  return values;
}

// `back` if it is a path of this console, else "/". Browsers drop tabs and newlines from a URL
// and read a backslash as "/": "/\t/evil.example" or "/\\evil.example" would leave for another
// host like "//evil.example". So: one "/" first, and no control character, space or backslash.
std::string console_path(const std::string& back) {
  const bool plain = std::none_of(back.begin(), back.end(), [](char ch) {
    const auto u = static_cast<unsigned char>(ch);
    return u <= 0x20 || u == 0x7F || ch == '\\';
  });
  return plain && back.starts_with('/') && !back.starts_with("//") ? back : "/";
}

// The page a language switch returns to: a page itself, with its query (the dashboard's
// filters); for a form's POST, the page that has the form ("/incidents/3/close" is answered on
// "/incidents/3", "/incidents" on "/incidents/new"), which a GET can load again.
std::string page_to_return_to(const httplib::Request& req) {
  if (req.method != "POST") {
    return req.params.empty() ? req.path
                              : req.path + "?" + httplib::detail::params_to_query_str(req.params);
  }
  static const std::regex kAction(R"(^(/[a-z]+/\d{1,18})/[a-z]+$)");
  static const std::regex kCollection(R"(^/(incidents|requests|matters)$)");
  std::smatch m;
  if (std::regex_match(req.path, m, kAction)) return m[1].str();
  if (std::regex_match(req.path, kCollection)) return req.path + "/new";
  return "/";
}

// "attachment" with a file's own name (RFC 6266): as it is for ASCII, with each character a
// quoted string cannot hold as "_", and in full as UTF-8 (RFC 8187) for browsers to prefer, so
// that "brief van mevrouw Peeters.pdf" downloads as such and opens by its extension.
std::string attachment_disposition(const std::string& file_name) {
  std::string ascii, encoded;
  for (const unsigned char ch : file_name) {
    // One "_" a character: a UTF-8 sequence's continuation bytes add none.
    const bool continuation = ch >= 0x80 && ch < 0xC0;
    if (!continuation) {
      ascii += ch < 0x20 || ch >= 0x7F || ch == '"' || ch == '\\' ? '_' : static_cast<char>(ch);
    }
    if (std::isalnum(ch) ||
        std::string_view("-._~").find(static_cast<char>(ch)) != std::string::npos) {
      encoded += static_cast<char>(ch);
    } else {
      char hex[4];
      std::snprintf(hex, sizeof hex, "%%%02X", ch);
      encoded += hex;
    }
  }
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

// The client's certificate (PEM, empty if none) and the chain it came with.
std::pair<std::string, std::string> peer_certificate_pem(const SSL* ssl) {
  if (ssl == nullptr) return {};
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return {};
  std::pair<std::string, std::string> presented{api::pem_of(cert), {}};
  X509_free(cert);
  if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl)) {  // not owned
    for (int i = 0; i < sk_X509_num(chain); ++i)
      presented.second += api::pem_of(sk_X509_value(chain, i));
  }
  return presented;
}

int http_status(const absl::Status& s) {
  switch (s.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
      return 422;
    case absl::StatusCode::kNotFound:
      return 404;
    case absl::StatusCode::kPermissionDenied:
      return 403;
    case absl::StatusCode::kUnauthenticated:
      return 403;
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kAborted:
      return 409;
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kResourceExhausted:
      return 503;
    default:
      return 500;
  }
}

// "title: required" -> ("title", "required"); the form field an app error is about.
std::pair<std::string, std::string> split_field_error(const std::string& message) {
  const size_t colon = message.find(": ");
  if (colon == std::string::npos || message.find(' ') < colon) return {"", message};
  std::string name = message.substr(0, colon);
  name = name.substr(0, name.find('.'));
  return {name, message.substr(colon + 2)};
}

// A refusal the form shows at its fields: bad input, or a state the user can correct there.
// Anything else is an error page.
bool refused_at_form(const absl::Status& s) {
  return s.code() == absl::StatusCode::kInvalidArgument ||
         s.code() == absl::StatusCode::kFailedPrecondition;
}

// "37" -> 37; nullopt for anything that is not a whole number in range.
std::optional<int64_t> whole_number(const std::string& text) {
  try {
    size_t used = 0;
    const int64_t value = std::stoll(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

// A size as a reader takes it in: "812 B", "3,4 KiB", "10,0 MiB" (a decimal comma in Dutch).
std::string size_text(int64_t bytes, std::string_view lang) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  std::ostringstream out;
  out.precision(1);
  // In KiB while it rounds to less than 1024.0 of them ("1024,0 KiB" is "1,0 MiB").
  if (std::round(static_cast<double>(bytes) / 1024 * 10) < 1024 * 10) {
    out << std::fixed << static_cast<double>(bytes) / 1024 << " KiB";
  } else {
    out << std::fixed << static_cast<double>(bytes) / (1024 * 1024) << " MiB";
  }
  std::string text = out.str();
  if (lang == "nl") std::replace(text.begin(), text.end(), '.', ',');
  return text;
}

/// Who is asking, in which language and time zone, with the token its forms carry.
struct Caller {
  api::Principal principal;
  std::string lang = "nl";
  const domain::TimeZone* zone = nullptr;
  std::string party_name;
  std::string csrf_token;
  std::string back;  ///< the page to return to after switching the language (page_to_return_to)
};

// cpp-httplib's server with a longer queue of connections not yet accepted: 0.11 listens with a
// backlog of five, and the kernel dropped the connection attempts beyond it (a browser's burst,
// or a few clients at once), each retried by the client only a second later.
class ConsoleServer final : public httplib::SSLServer {
 public:
  using httplib::SSLServer::SSLServer;
  bool lengthen_backlog() { return ::listen(svr_sock_, SOMAXCONN) == 0; }
};

// cpp-httplib's queue of accepted connections: ConnectionThreads instead of its fixed pool. Each
// accepted connection first cuts off the handshakes that are overdue, whose threads it may need.
class ConnectionQueue final : public httplib::TaskQueue {
 public:
  explicit ConnectionQueue(HandshakeGuard& handshakes) : handshakes_(handshakes) {}
  void enqueue(std::function<void()> connection) override {
    handshakes_.cut_off_overdue();
    threads_.enqueue(std::move(connection));
  }
  void shutdown() override { threads_.shutdown(); }

 private:
  HandshakeGuard& handshakes_;
  ConnectionThreads threads_{kMaxConnections};
};

}  // namespace

struct WebConsole::Impl {
  Impl(const app::Clock& clock, const api::CertificateTrust& trust, UseCases uc, Settings s)
      : clock(clock), trust(trust), uc(uc), settings(std::move(s)) {}

  const app::Clock& clock;
  const api::CertificateTrust& trust;
  UseCases uc;
  Settings settings;
  std::map<std::string, std::string> assets;
  std::optional<FormTokens> form_tokens;  // set by start()
  ServerIdentity identity;                // what the handshakes present
  HandshakeGuard handshakes{kHandshakeBounds, settings.trusted_proxies};
  HeadLimit heads{kMaxHeadBytes};
  // After `identity` and `handshakes`: its connections end before they go.
  std::unique_ptr<ConsoleServer> server;

  // ---- security ----

  static void secure_headers(httplib::Response& res, bool personal) {
    res.set_header("Content-Security-Policy", kCsp);
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "same-origin");
    res.set_header("X-Frame-Options", "DENY");
    res.set_header("Strict-Transport-Security", "max-age=31536000");
    res.set_header("Cache-Control", personal ? "no-store" : "max-age=300");
  }

  absl::StatusOr<api::Principal> authenticate(const httplib::Request& req) const {
    const auto [pem, chain_pem] = peer_certificate_pem(req.ssl);
    if (pem.empty()) return absl::UnauthenticatedError("a client certificate is required");
    // Decided as for any client: a configured principal's certificate, pin and revocation
    // checked. A proxy's too: it acts for others only with a certificate of its own in good
    // standing.
    absl::StatusOr<api::Principal> certified = trust.principal_for_certificate(pem, chain_pem);
    const bool from_proxy =
        std::find(settings.trusted_proxies.begin(), settings.trusted_proxies.end(),
                  req.remote_addr) != settings.trusted_proxies.end();
    if (!certified.ok() || !from_proxy || !req.has_header(settings.proxy_header)) return certified;
    // Only a proxy's own principal names another: someone else's certificate, used on the
    // proxy's host, does not.
    if (std::find(settings.proxy_principals.begin(), settings.proxy_principals.end(),
                  certified->name) == settings.proxy_principals.end()) {
      return absl::PermissionDeniedError(certified->name +
                                         " is not in web.proxy_principals: it names nobody else");
    }
    // The proxy authenticated the user.
    const std::string name = req.get_header_value(settings.proxy_header);
    if (auto p = trust.principal_named(name)) return *p;
    return absl::UnauthenticatedError("the proxy named no configured principal");
  }

  // The token in a POST matches the caller and its cookie, and the request comes from this
  // origin if the browser says where it comes from.
  bool csrf_ok(const httplib::Request& req, const Caller& c) const {
    const std::string origin = req.get_header_value("Origin");
    if (!origin.empty() && origin != "https://" + req.get_header_value("Host")) return false;
    return form_tokens->valid(c.principal.name, cookie(req, kCsrfCookie), field(req, "csrf"));
  }

  // ---- rendering ----

  mu::data base_data(const Caller& c) const {
    mu::data d;
    mu::data t;
    for (const auto& [k, v] : labels(c.lang)) t.set(k, v);
    d.set("t", t);
    d.set("lang", c.lang);
    d.set("is_nl", c.lang == "nl");
    d.set("is_en", c.lang == "en");
    d.set("principal", c.principal.name);
    // The menu offers what the principal may do: recording takes a reporter or DPO of a party
    // (an auditor records nothing), the registers a party's DPO or an auditor.
    d.set("may_record", api::policy::may_record_anything(c.principal).ok());
    d.set("may_read_registers",
          api::policy::may_read_register(c.principal, c.principal.party).ok());
    d.set("party_name", c.party_name);
    d.set("csrf", c.csrf_token);
    d.set("back", httplib::detail::encode_query_param(c.back));
    d.set("time_hint", replace(label(c.lang, "time_hint"), "{zone}", c.zone->name()));
    return d;
  }

  std::string render(const std::string& page, const std::string& title, const Caller& c,
                     mu::data& d, bool refresh = false) const {
    mu::mustache body_tpl(assets.at(page + ".mustache"));
    std::string body = body_tpl.render(d);
    mu::data layout = base_data(c);
    layout.set("page_title", title);
    layout.set("body", body);
    if (refresh) layout.set("refresh", std::to_string(kRefreshSeconds));
    mu::mustache layout_tpl(assets.at("layout.mustache"));
    return layout_tpl.render(layout);
  }

  void send_page(httplib::Response& res, int status, const std::string& html) const {
    res.status = status;
    res.set_content(html, "text/html; charset=utf-8");
  }

  // A refusal that concerns no field: its kind in the user's language (`key`: a label that says
  // more), the API's own message as detail.
  void send_error(httplib::Response& res, const Caller& c, const absl::Status& s,
                  const std::string& key = "") const {
    mu::data d = base_data(c);
    const int status = http_status(s);
    const std::string heading = label(c.lang, status == 404   ? "not_found"
                                              : status == 403 ? "forbidden"
                                              : status == 409 ? "conflict"
                                              : status == 503 ? "unavailable"
                                                              : "error");
    d.set("heading", heading);
    // A refusal by state the console can say in the user's language says what it is; any other
    // says its kind.
    const std::string reason(s.message());
    const std::string said = s.code() == absl::StatusCode::kFailedPrecondition && key.empty()
                                 ? field_error(c.lang, reason)
                                 : reason;
    d.set("message",
          said != reason ? said : label(c.lang, key.empty() ? refusal_key(s.code()) : key));
    // Internal errors are logged with detail by the layer that caught them; the page says less.
    if (status != 500 && key.empty()) d.set("detail", std::string(s.message()));
    send_page(res, status, render("error", heading, c, d));
  }

  // A refusal shown at a form: the use case's reason in the user's language; a refusal by state
  // (FAILED_PRECONDITION) the console cannot translate says its kind, then the reason.
  static std::string form_refusal(const Caller& c, const absl::Status& s, const std::string& why) {
    const std::string text = field_error(c.lang, why);
    if (text != why || c.lang == "en" || s.code() != absl::StatusCode::kFailedPrecondition) {
      return text;
    }
    return label(c.lang, refusal_key(s.code())) + " (" + why + ")";
  }

  // A refusal by state concerns the record, not a field, and the form it came from may no longer
  // be offered once the page reloads (the record was closed, the answer met): the page says it
  // at its top too ({{errors.state}}).
  static void said_on_top(std::map<std::string, std::string>& errors, const absl::Status& s,
                          const std::string& text) {
    if (s.code() == absl::StatusCode::kFailedPrecondition) errors["state"] = text;
  }

  // ---- formatting ----

  std::string when(const Caller& c, domain::Instant t) const {
    return c.zone->format(t, "%Y-%m-%d %H:%M %Z");
  }
  std::string when(const Caller& c, const std::optional<domain::Instant>& t) const {
    return t ? when(c, *t) : label(c.lang, "none");
  }

  // "1 d 3 u 05 min": hours as the language abbreviates them (console.js counts on alike).
  static std::string span_text(std::chrono::seconds s, const std::string& hour) {
    const int64_t total = std::abs(s.count());
    const int64_t d = total / 86400, h = total % 86400 / 3600, m = total % 3600 / 60;
    std::ostringstream out;
    if (d) out << d << " d ";
    out << h << " " << hour << " " << (m < 10 ? "0" : "") << m << " min";
    return out.str();
  }

  std::string countdown(const Caller& c, domain::Instant due) const {
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(due - clock.now());
    return replace(label(c.lang, left.count() < 0 ? "late_by" : "left"), "{t}",
                   span_text(left, label(c.lang, "hour_unit")));
  }

  // overdue, under 24 h, under 25 % of the window left, or calm.
  std::string urgency(const domain::Obligation& o) const {
    if (o.state != domain::ObligationState::kOpen) return "closed";
    const auto now = clock.now();
    if (now > o.due_time) return "overdue";
    if (o.due_time - now < std::chrono::hours(24)) return "urgent";
    if ((o.due_time - now) * 4 < (o.due_time - o.start_time)) return "closing";
    return "calm";
  }

  std::string recipient(const Caller& c, const domain::Obligation& o) const {
    if (o.recipient_kind == domain::RecipientKind::kPartyDpo) {
      return party_dpo(c, o.recipient_party);
    }
    return label(c.lang, "to_" + std::string(domain::name_of(o.recipient_kind)));
  }
  std::string party_dpo(const Caller& c, const std::string& party_id) const {
    auto party = uc.directory.find(party_id, "party");
    return label(c.lang, "to_" + std::string(domain::name_of(domain::RecipientKind::kPartyDpo))) +
           " " + (party.ok() ? (*party)->name : party_id);
  }

  mu::data obligation_data(const Caller& c, const domain::Obligation& o) const {
    mu::data d;
    d.set("id", std::to_string(o.id));
    d.set("rule", o.rule);
    d.set("rule_name", domain::rule_name(o.rule, c.lang == "nl"));
    d.set("legal_basis", domain::legal_basis_in(o.rule, o.legal_basis, c.lang == "nl"));
    d.set("recipient", recipient(c, o));
    d.set("due", when(c, o.due_time));
    d.set("due_iso", domain::format_rfc3339(o.due_time, *c.zone));
    d.set("due_epoch", std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                          o.due_time.time_since_epoch())
                                          .count()));
    // A policy target is no legal limit.
    d.set("legal_due", domain::sets_no_limit(o.rule) ? label(c.lang, "no_legal_limit")
                                                     : when(c, o.legal_due_time));
    d.set("legal_due_iso", domain::format_rfc3339(o.legal_due_time, *c.zone));
    const bool open = o.state == domain::ObligationState::kOpen;
    d.set("open", open);
    d.set("countdown", open ? countdown(c, o.due_time)
                            : label(c.lang, "state_" + std::string(domain::name_of(o.state))) +
                                  " " + when(c, o.closed_time));
    const std::string u = urgency(o);
    d.set("urgency", u);
    d.set("urgency_label", u == "overdue"   ? label(c.lang, "overdue")
                           : u == "urgent"  ? label(c.lang, "urgent")
                           : u == "closing" ? label(c.lang, "closing")
                                            : std::string());
    d.set("next_step", o.next_step_time
                           ? when(c, o.next_step_time) + " (" +
                                 domain::step_label_in(o.next_step, c.lang == "nl") + ")"
                           : label(c.lang, "none"));
    d.set("notice_state", o.notice_state.empty() ? "-" : label(c.lang, "notice_" + o.notice_state));
    d.set("state", label(c.lang, "state_" + std::string(domain::name_of(o.state))));
    if (!o.evidence.empty()) d.set("evidence", o.evidence);
    d.set("explanation",
          c.lang == "nl" && !o.explanation_nl.empty() ? o.explanation_nl : o.explanation);
    d.set("subject_href", subject_page(o));
    d.set("subject_label", subject_label(c, o));
    return d;
  }

  // The record an obligation belongs to: an incident, a request or a protocol matter.
  static std::pair<std::string, int64_t> subject_of(const domain::Obligation& o) {
    if (o.incident_id) return {"incident", o.incident_id};
    if (o.request_id) return {"request", o.request_id};
    return {"matter", o.matter_id};
  }
  static std::string subject_page(const domain::Obligation& o) {
    const auto [kind, id] = subject_of(o);
    return "/" + kind + "s/" + std::to_string(id);
  }
  static std::string subject_label(const Caller& c, const domain::Obligation& o) {
    const auto [kind, id] = subject_of(o);
    return label(c.lang, kind) + " " + std::to_string(id);
  }

  // The kinds of name an audit event's subject has ("obligations/9"), by their labels' keys.
  static constexpr std::pair<std::string_view, std::string_view> kNameKinds[] = {
      {"incidents/", "incident"},
      {"requests/", "request"},
      {"matters/", "matter"},
      {"obligations/", "obligation"},
      {"notifications/", "message"}};

  // "Verplichting 9" for "obligations/9"; a name of another kind as it is.
  static std::string named_subject(const Caller& c, const std::string& name) {
    for (const auto& [prefix, key] : kNameKinds) {
      if (name.starts_with(prefix)) {
        return label(c.lang, std::string(key)) + " " + name.substr(prefix.size());
      }
    }
    return name;
  }
  // The console's page of a named subject ("/obligations/9"), or empty when it has none.
  static std::string subject_href(const std::string& name) {
    for (const auto& [prefix, key] : kNameKinds) {
      if (name.starts_with(prefix)) return "/" + name;
    }
    return "";
  }

  // ---- pages ----

  void dashboard(const httplib::Request& req, httplib::Response& res, const Caller& c) {
    const std::string rule = req.get_param_value("rule");
    const bool open_only = req.get_param_value("state") != "all";
    const auto scope =
        api::policy::list_scope(c.principal, req.get_param_value("party"), uc.directory);
    // A party the filter cannot have offered (a link or a typo): the error, not an empty table.
    if (!scope.ok()) return send_error(res, c, scope.status());
    mu::data d = base_data(c);
    mu::list rows;
    app::ObligationQuery q;
    q.include_closed = !open_only;
    q.party = scope->party;
    q.viewer = scope->viewer;
    q.rule = rule;
    q.page_token = req.get_param_value("after");
    // Up to kDashboardRows, soonest due first, and a link to the rows after them. A page asks for
    // as many as are missing: the page that fills the table ends at its last row, and its token
    // continues right after it. Rows another party's view hides (rare: the query keeps to the
    // caller's party) take a few more pages, never more than a few.
    for (int pages = 0; rows.size() < kDashboardRows && pages < 4; ++pages) {
      q.page_size = static_cast<int>(kDashboardRows - rows.size());
      auto page = uc.queries.obligations(q);
      if (!page.ok()) return send_error(res, c, page.status());
      for (auto& o : page->items) {
        const auto view = api::policy::view_of(c.principal, app::parties_of(o), "");
        if (!view.ok()) continue;
        rows.push_back(obligation_data(c, app::as_viewed(std::move(o), *view, c.principal.party)));
      }
      q.page_token = page->next_token;
      if (q.page_token.empty()) break;
    }
    if (!q.page_token.empty()) {
      d.set("more_href",
            "/?" + httplib::detail::params_to_query_str({{"rule", rule},
                                                         {"party", scope->party},
                                                         {"state", open_only ? "open" : "all"},
                                                         {"after", q.page_token}}));
    }
    d.set("has_rows", !rows.empty());
    d.set("rows", rows);
    d.set("open_only", open_only);
    d.set("heading", label(c.lang, open_only ? "open_deadlines" : "all_deadlines"));
    d.set("no_rows", label(c.lang, open_only ? "no_deadlines" : "no_deadlines_at_all"));
    mu::list rules;
    for (const domain::Rule& r : domain::rules()) {
      mu::data item;
      item.set("id", std::string(r.id));
      item.set("name", std::string(c.lang == "nl" ? r.name_nl : r.name_en));
      item.set("selected", r.id == rule);
      rules.push_back(item);
    }
    d.set("rules", rules);
    mu::list parties = party_choices(scope->party);
    if (c.principal.auditor) {
      // An auditor has no party of its own: its list covers every party unless it picks one.
      mu::data every;
      every.set("id", std::string());
      every.set("name", label(c.lang, "all_parties"));
      every.set("selected", scope->party.empty());
      parties.insert(parties.begin(), every);
    }
    d.set("parties", parties);
    send_page(res, 200, render("dashboard", label(c.lang, "deadlines"), c, d, true));
  }

  // Every party, for a filter's choice, `selected` chosen.
  mu::list party_choices(const std::string& selected) const {
    mu::list parties;
    for (const domain::Party& p : uc.directory.parties()) {
      mu::data item;
      item.set("id", p.id);
      item.set("name", p.name);
      item.set("selected", p.id == selected);
      parties.push_back(item);
    }
    return parties;
  }

  mu::data fact(const std::string& label_text, const std::string& value) const {
    mu::data f;
    f.set("label", label_text);
    f.set("value", value);
    return f;
  }

  // When a record was closed, and its summary: two facts (they ran together in one).
  void closing_facts(const Caller& c, mu::list& facts,
                     const std::optional<domain::Instant>& close_time,
                     const std::string& summary) const {
    if (!close_time) return;
    facts.push_back(fact(label(c.lang, "closed_at"), when(c, *close_time)));
    facts.push_back(fact(label(c.lang, "closing_summary"), summary));
  }

  template <typename Enum>
  std::string names(const Caller& c, const std::vector<Enum>& values, const std::string& prefix) {
    std::string out;
    for (Enum v : values) {
      if (!out.empty()) out += ", ";
      out += label(c.lang, prefix + std::string(domain::name_of(v)));
    }
    return out.empty() ? "-" : out;
  }

  // Obligations, notices and history of a record, as `c` may see them.
  // A failed read is an error page: a section left empty would read as "none".
  absl::Status record_sections(const Caller& c, mu::data& d, const std::string& subject,
                               app::View view, const std::vector<domain::Obligation>& obligations) {
    mu::list rows;
    for (const auto& o : obligations) rows.push_back(obligation_data(c, o));
    d.set("obligations", rows);
    mu::list notices;
    for (const domain::Obligation& o : obligations) {
      // Every notice of each obligation: a handful, whatever else the party was sent.
      app::NotificationQuery q{c.principal.party, std::nullopt, 500, "", c.principal.party, o.id};
      auto page = uc.notifications.list(q);
      if (!page.ok()) return page.status();
      for (auto& n : page->items) {
        if (n.notification.kind != domain::NotificationKind::kNotice) continue;
        const auto seen = api::policy::view_of(c.principal, app::parties_of(n), "");
        if (!seen.ok()) continue;
        n = app::as_viewed(std::move(n), *seen, c.principal.party);
        mu::data item;
        item.set("id", std::to_string(n.notification.id));
        item.set("recipient", recipient(c, n.obligation));
        item.set("state",
                 label(c.lang, "notice_" + std::string(domain::name_of(n.notification.state))));
        item.set("sent", n.notification.sent_time ? when(c, *n.notification.sent_time)
                                                  : label(c.lang, "not_yet"));
        item.set("acked", n.notification.ack_time.has_value());
        item.set("ack", when(c, n.notification.ack_time) + " (" + n.notification.ack_by + ")");
        item.set("can_review",
                 (n.notification.state == domain::NotificationState::kHeld ||
                  n.notification.state == domain::NotificationState::kFailed) &&
                     api::policy::may_close(c.principal, n.obligation.owner_party).ok());
        item.set("can_ack",
                 n.notification.state == domain::NotificationState::kSent &&
                     api::policy::may_acknowledge(c.principal, n.obligation.recipient_party).ok());
        item.set("csrf", c.csrf_token);
        notices.push_back(item);
      }
    }
    d.set("has_notices", !notices.empty());
    d.set("notices", notices);
    // The trail of a record belongs to its owner (and auditors): a notified party sees the
    // notice, not the owner's internal steps.
    const bool history =
        view != app::View::kNotified && api::policy::may_read_audit(c.principal).ok();
    d.set("show_history", history);
    if (history) {
      mu::list events;
      const app::AuditFilter filter{
          .subject = subject, .limit = 500, .viewer = api::policy::audit_viewer(c.principal)};
      auto trail = uc.audit_trail.list(filter);
      if (!trail.ok()) return trail.status();
      for (const auto& e : *trail) {
        mu::data item;
        item.set("seq", std::to_string(e.record.seq));
        if (e.digest_only) {
          // Another party's event: its place in the chain, nothing of its content.
          item.set("action", label(c.lang, "other_party_event"));
          events.push_back(item);
          continue;
        }
        item.set("time", when(c, e.record.time));
        item.set("actor", e.record.principal == app::kSystemPrincipal
                              ? label(c.lang, "actor_system")
                              : e.record.principal);
        // What happened in words, with the event type `termijn audit` and webhooks show.
        const std::string type = domain::event_type(e.record);
        item.set("action", event_label(c.lang, type));
        item.set("event_type", type);
        item.set("subject", named_subject(c, e.record.subject));
        item.set("subject_href", subject_href(e.record.subject));
        events.push_back(item);
      }
      d.set("history", events);
    }
    return absl::OkStatus();
  }

  void incident_page(const httplib::Request& req, httplib::Response& res, const Caller& c,
                     const std::map<std::string, std::string>& errors = {}, int status = 200) {
    const int64_t id = std::stoll(req.matches[1]);
    const std::string name = "incidents/" + std::to_string(id);
    const auto parties = uc.queries.parties_of("incidents", id);
    const auto view = api::policy::view_of(c.principal, parties, name);
    if (!view.ok()) return send_error(res, c, view.status());
    auto record = uc.queries.incident(id);
    if (!record.ok()) return send_error(res, c, record.status());
    const app::IncidentRecord r = app::as_viewed(std::move(*record), *view, c.principal.party);
    const domain::Incident& i = r.incident;
    mu::data d = base_data(c);
    const std::string heading =
        label(c.lang, "incident") + " " + std::to_string(id) + ": " + i.title;
    d.set("heading", heading);
    mu::list facts;
    auto owner = uc.directory.find(i.party, "party");
    facts.push_back(fact(label(c.lang, "party"), owner.ok() ? (*owner)->name : i.party));
    facts.push_back(fact(label(c.lang, "title"), i.title));
    facts.push_back(
        fact(label(c.lang, "description"), i.description.empty() ? "-" : i.description));
    facts.push_back(fact(label(c.lang, "aware_time"), when(c, i.aware_time)));
    facts.push_back(fact(label(c.lang, "occurred_time"),
                         i.occurred_time ? when(c, *i.occurred_time) : label(c.lang, "unknown")));
    facts.push_back(fact(label(c.lang, "categories"), names(c, i.categories, "cat_")));
    facts.push_back(fact(label(c.lang, "subject_groups"), names(c, i.subject_groups, "grp_")));
    facts.push_back(fact(label(c.lang, "subject_count"),
                         i.subject_count ? std::to_string(*i.subject_count) : "-"));
    facts.push_back(
        fact(label(c.lang, "risk"), label(c.lang, "risk_" + std::string(domain::name_of(i.risk)))));
    // The assessment of GDPR art. 33(3)(c) and (d), as far as the reader's view holds it.
    if (!i.consequences.empty()) {
      facts.push_back(fact(label(c.lang, "consequences"), i.consequences));
    }
    if (!i.measures.empty()) facts.push_back(fact(label(c.lang, "measures"), i.measures));
    facts.push_back(fact(label(c.lang, "reported_by"), i.reported_by));
    if (!i.ticket_ref.empty()) facts.push_back(fact(label(c.lang, "external_ref"), i.ticket_ref));
    closing_facts(c, facts, i.close_time, i.closing_summary);
    d.set("facts", facts);
    if (auto s = record_sections(c, d, name, *view, r.obligations); !s.ok()) {
      return send_error(res, c, s);
    }
    closing_form(req, c, d, name, i.party, i.close_time.has_value(), errors);
    assessment_form(req, c, d, i, errors);
    facts_form(req, c, d, i);
    consultation_form(req, c, d, i, r.obligations, *parties);
    d.set("has_errors", !errors.empty());
    send_page(res, status, render("record", heading, c, d));
  }

  void request_page(const httplib::Request& req, httplib::Response& res, const Caller& c,
                    const std::map<std::string, std::string>& errors = {}, int status = 200) {
    const int64_t id = std::stoll(req.matches[1]);
    const std::string name = "requests/" + std::to_string(id);
    const auto view =
        api::policy::view_of(c.principal, uc.queries.parties_of("requests", id), name);
    if (!view.ok()) return send_error(res, c, view.status());
    auto record = uc.queries.request(id, false);
    if (!record.ok()) return send_error(res, c, record.status());
    const app::RequestRecord r = app::as_viewed(std::move(*record), *view, c.principal.party);
    const domain::Request& q = r.request;
    mu::data d = base_data(c);
    const std::string heading = label(c.lang, "request") + " " + std::to_string(id) + ": " +
                                label(c.lang, "kind_" + std::string(domain::name_of(q.kind)));
    d.set("heading", heading);
    mu::list facts;
    auto owner = uc.directory.find(q.party, "party");
    facts.push_back(fact(label(c.lang, "party"), owner.ok() ? (*owner)->name : q.party));
    facts.push_back(
        fact(label(c.lang, "kind"), label(c.lang, "kind_" + std::string(domain::name_of(q.kind)))));
    facts.push_back(fact(label(c.lang, "receive_time"), when(c, q.receive_time)));
    facts.push_back(fact(label(c.lang, "summary"), q.summary));
    facts.push_back(fact(label(c.lang, "logged_by"), q.logged_by));
    if (!q.external_ref.empty())
      facts.push_back(fact(label(c.lang, "external_ref"), q.external_ref));
    if (q.extension_months != 0) {
      facts.push_back(fact(label(c.lang, "extended"),
                           label(c.lang, "month_" + std::to_string(q.extension_months)) + ", " +
                               when(c, q.extend_time) + ": " + q.extension_reason));
    }
    if (q.identification_asked_time) {
      facts.push_back(
          fact(label(c.lang, "identification_asked_at"), when(c, q.identification_asked_time)));
    }
    if (q.identification_time) {
      facts.push_back(
          fact(label(c.lang, "identification_received_at"), when(c, q.identification_time)));
    }
    closing_facts(c, facts, q.close_time, q.closing_summary);
    d.set("facts", facts);
    if (q.copy) {
      d.set("copy_href", "/" + name + "/copy");
      d.set("copy_name", q.copy->file_name + " (" + q.copy->media_type + ", " +
                             size_text(q.copy->size, c.lang) + ")");
    }
    if (auto s = record_sections(c, d, name, *view, r.obligations); !s.ok()) {
      return send_error(res, c, s);
    }
    closing_form(req, c, d, name, q.party, q.close_time.has_value(), errors);
    extension_form(req, c, d, q, r.obligations);
    answer_forms(req, c, d, q, r.obligations);
    d.set("has_errors", !errors.empty());
    send_page(res, status, render("record", heading, c, d));
  }

  // A protocol matter (art. 7.3, 9, 10, 12, 15, 18): its facts, obligations, notices and history,
  // read only (as GetMatter; `termijn matter report` records one).
  void matter_page(const httplib::Request& req, httplib::Response& res, const Caller& c) {
    const int64_t id = std::stoll(req.matches[1]);
    const std::string name = "matters/" + std::to_string(id);
    const auto view = api::policy::view_of(c.principal, uc.queries.parties_of("matters", id), name);
    if (!view.ok()) return send_error(res, c, view.status());
    auto record = uc.queries.matter(id);
    if (!record.ok()) return send_error(res, c, record.status());
    const app::MatterRecord r = app::as_viewed(std::move(*record), *view, c.principal.party);
    const domain::Matter& m = r.matter;
    mu::data d = base_data(c);
    const std::string kind = label(c.lang, "matter_" + std::string(domain::name_of(m.kind)));
    const std::string heading = label(c.lang, "matter") + " " + std::to_string(id) + ": " + kind;
    d.set("heading", heading);
    mu::list facts;
    auto owner = uc.directory.find(m.party, "party");
    facts.push_back(fact(label(c.lang, "party"), owner.ok() ? (*owner)->name : m.party));
    facts.push_back(fact(label(c.lang, "kind"), kind));
    facts.push_back(fact(label(c.lang, "event_time"), when(c, m.event_time)));
    facts.push_back(fact(label(c.lang, "summary"), m.summary));
    if (!m.staff_ref.empty()) facts.push_back(fact(label(c.lang, "staff_ref"), m.staff_ref));
    facts.push_back(fact(label(c.lang, "reported_by"), m.reported_by));
    d.set("facts", facts);
    if (auto s = record_sections(c, d, name, *view, r.obligations); !s.ok()) {
      return send_error(res, c, s);
    }
    send_page(res, 200, render("record", heading, c, d));
  }

  // The form that closes a record, for its owner's DPO while it is open.
  void closing_form(const httplib::Request& req, const Caller& c, mu::data& d,
                    const std::string& name, const std::string& owner, bool closed,
                    const std::map<std::string, std::string>& errors) const {
    d.set("can_close_record", !closed && api::policy::may_change(c.principal, owner).ok());
    d.set("close_action", "/" + name + "/close");
    d.set("csrf", c.csrf_token);
    mu::data form, errs;
    form.set("summary", field(req, "summary"));
    for (const auto& [k, v] : errors) errs.set(k.empty() ? "summary" : k, v);
    d.set("form", form);
    d.set("errors", errs);
  }

  // The assessment of an open incident (risk, subjects, consequences, measures: GDPR art.
  // 33(3)), for its owner's DPO; prefilled with what is known, or with what was refused.
  void assessment_form(const httplib::Request& req, const Caller& c, mu::data& d,
                       const domain::Incident& i,
                       const std::map<std::string, std::string>& errors) const {
    d.set("can_assess", !i.close_time && api::policy::may_change(c.principal, i.party).ok());
    d.set("assess_action", "/incidents/" + std::to_string(i.id) + "/assess");
    const bool refused = req.method == "POST" && req.path.ends_with("/assess");
    mu::data form = *d.get("form");
    const std::string count = i.subject_count ? std::to_string(*i.subject_count) : "";
    form.set("subject_count", refused ? field(req, "subject_count") : count);
    form.set("consequences", refused ? field(req, "consequences") : i.consequences);
    form.set("measures", refused ? field(req, "measures") : i.measures);
    d.set("form", form);
    const std::string risk = refused ? field(req, "risk") : std::string(domain::name_of(i.risk));
    // "Not assessed yet" while it is not: consequences or measures may come first. Once assessed,
    // a risk is changed, not taken back (UpdateIncident refuses that).
    std::vector<domain::Risk> risks{domain::Risk::kNone, domain::Risk::kRisk, domain::Risk::kHigh};
    if (i.risk == domain::Risk::kUnknown) risks.insert(risks.begin(), domain::Risk::kUnknown);
    d.set("risks", choices(c, risks, "risk_", {risk}));
    if (refused) {
      mu::data errs;
      for (const auto& [k, v] : errors) errs.set(k.empty() ? "risk" : k, v);
      d.set("errors", errs);
    }
  }

  // Whether `c` may change record `collection`/`id` (its owner's DPO, as for the gRPC API);
  // when not, the refusal has been sent.
  bool changeable(httplib::Response& res, const Caller& c, const std::string& collection,
                  int64_t id) const {
    const auto parties = uc.queries.parties_of(collection, id);
    const auto view =
        api::policy::view_of(c.principal, parties, collection + "/" + std::to_string(id));
    if (!view.ok()) {
      send_error(res, c, view.status());
      return false;
    }
    if (auto s = api::policy::may_change(c.principal, parties->owner); !s.ok()) {
      send_error(res, c, s);
      return false;
    }
    return true;
  }

  // Extends the answer period of a request (GDPR art. 12(3)) through ExtendRequest: its owner's
  // DPO, by 1 or 2 months with a reason. A refusal is shown at its field; nothing changes then.
  void extend_request(const httplib::Request& req, httplib::Response& res, const Caller& c) {
    const int64_t id = std::stoll(req.matches[1]);
    if (!changeable(res, c, "requests", id)) return;
    std::map<std::string, std::string> errors;
    const std::string months_text = field(req, "months");
    const std::string reason = field(req, "reason");
    const auto months = whole_number(months_text);
    if (months_text.empty()) {
      errors["months"] = label(c.lang, "required");
    } else if (!months) {
      errors["months"] = label(c.lang, "not_a_number");
    }
    if (reason.empty()) errors["reason"] = label(c.lang, "required");
    if (errors.empty()) {
      const int bounded = static_cast<int>(std::clamp<int64_t>(*months, -1, 3));
      const auto extended =
          uc.extend_request.run({c.principal.name, c.principal.party}, id, bounded, reason);
      if (extended.ok()) return res.set_redirect("/requests/" + std::to_string(id), 303);
      if (!refused_at_form(extended.status())) {
        return send_error(res, c, extended.status());
      }
      const auto [name, why] = split_field_error(std::string(extended.status().message()));
      errors[name == "months" || name == "reason" ? name : "extend"] =
          form_refusal(c, extended.status(), why);
      said_on_top(errors, extended.status(), form_refusal(c, extended.status(), why));
    }
    request_page(req, res, c, errors, 422);
  }

  // The extension form of an open request not extended yet, for its owner's DPO; prefilled
  // with what was refused.
  void extension_form(const httplib::Request& req, const Caller& c, mu::data& d,
                      const domain::Request& q,
                      const std::vector<domain::Obligation>& obligations) const {
    // Only while the answer is open: a message from the authority has none, and an answer met,
    // waived or refused is not extended (the form would only be refused).
    d.set("can_extend", answer_open(obligations) && !q.close_time && q.extension_months == 0 &&
                            api::policy::may_change(c.principal, q.party).ok());
    d.set("extend_action", "/requests/" + std::to_string(q.id) + "/extend");
    const bool refused = req.method == "POST" && req.path.ends_with("/extend");
    mu::data form = *d.get("form");
    form.set("extension_reason", refused ? field(req, "reason") : std::string());
    d.set("form", form);
    mu::list months;
    for (const std::string m : {"1", "2"}) {
      mu::data item;
      item.set("value", m);
      item.set("label", label(c.lang, "month_" + m));
      item.set("checked", refused && field(req, "months") == m);
      months.push_back(item);
    }
    d.set("extend_months", months);
  }

  // The facts of an open incident its owner's DPO may change through UpdateIncident (the
  // assessment has its own form), prefilled with what is known, or with what was refused. The
  // awareness time is not among them: the deadlines count from it.
  void facts_form(const httplib::Request& req, const Caller& c, mu::data& d,
                  const domain::Incident& i) const {
    using domain::DataCategory, domain::SubjectGroup;
    d.set("can_edit", !i.close_time && api::policy::may_change(c.principal, i.party).ok());
    d.set("edit_action", "/incidents/" + std::to_string(i.id) + "/update");
    const bool refused = req.method == "POST" && req.path.ends_with("/update");
    mu::data form = *d.get("form");
    form.set("description", refused ? field(req, "description") : i.description);
    form.set("occurred_time", refused           ? field(req, "occurred_time")
                              : i.occurred_time ? c.zone->format(*i.occurred_time, "%Y-%m-%dT%H:%M")
                                                : std::string());
    form.set("external_ref", refused ? field(req, "external_ref") : i.ticket_ref);
    d.set("form", form);
    d.set("occurred_hint", replace(label(c.lang, "occurred_hint"), "{zone}", c.zone->name()));
    std::vector<std::string> categories, groups;
    for (auto v : i.categories) categories.emplace_back(domain::name_of(v));
    for (auto v : i.subject_groups) groups.emplace_back(domain::name_of(v));
    d.set("edit_categories",
          choices(c,
                  std::vector{DataCategory::kIdentification, DataCategory::kContact,
                              DataCategory::kFinancial, DataCategory::kPlanning,
                              DataCategory::kMedical, DataCategory::kCriminal},
                  "cat_", refused ? fields(req, "categories") : categories));
    d.set("edit_groups", choices(c,
                                 std::vector{SubjectGroup::kStaff, SubjectGroup::kClients,
                                             SubjectGroup::kRepresentatives},
                                 "grp_", refused ? fields(req, "subject_groups") : groups));
  }

  // Changes the facts through UpdateIncident: the five fields of the form in one mask (what did
  // not change is not written). A refusal is shown at its field; nothing changes then.
  void update_facts(const httplib::Request& req, httplib::Response& res, const Caller& c) {
    const int64_t id = std::stoll(req.matches[1]);
    if (!changeable(res, c, "incidents", id)) return;
    app::IncidentChange change;
    change.paths = {"description", "occurred_time", "categories", "subject_groups", "ticket_ref"};
    change.description = field(req, "description");
    change.occurred_time = field(req, "occurred_time");
    change.ticket_ref = field(req, "external_ref");
    std::map<std::string, std::string> errors;
    for (const std::string& v : fields(req, "categories")) {
      if (auto cat = domain::parse_name<domain::DataCategory>(v)) {
        change.categories.push_back(*cat);
      } else {
        errors["categories"] = label(c.lang, "refused_invalid");
      }
    }
    for (const std::string& v : fields(req, "subject_groups")) {
      if (auto g = domain::parse_name<domain::SubjectGroup>(v)) {
        change.subject_groups.push_back(*g);
      } else {
        errors["subject_groups"] = label(c.lang, "refused_invalid");
      }
    }
    if (errors.empty()) {
      const auto updated =
          uc.update_incident.run({c.principal.name, c.principal.party}, id, change);
      if (updated.ok()) return res.set_redirect("/incidents/" + std::to_string(id), 303);
      if (updated.status().code() != absl::StatusCode::kInvalidArgument &&
          updated.status().code() != absl::StatusCode::kAlreadyExists) {
        return send_error(res, c, updated.status());
      }
      const auto [name, why] = split_field_error(std::string(updated.status().message()));
      errors[name.empty() ? "edit" : name] = field_error(c.lang, why);
    }
    incident_page(req, res, c, errors, 422);
  }

  // The joint consultation of protocol art. 13, for the DPO of either party while one is open
  // between them (policy::may_consult, as for the gRPC API).
  void consultation_form(const httplib::Request& req, const Caller& c, mu::data& d,
                         const domain::Incident& i,
                         const std::vector<domain::Obligation>& obligations,
                         const app::RecordParties& parties) const {
    const bool open = std::any_of(obligations.begin(), obligations.end(), [](const auto& o) {
      return o.rule == domain::rule_id::kBreachConsultation &&
             o.state == domain::ObligationState::kOpen;
    });
    d.set("can_consult",
          open && !i.close_time && api::policy::may_consult(c.principal, parties).ok());
    d.set("consult_action", "/incidents/" + std::to_string(i.id) + "/consult");
    mu::data form = *d.get("form");
    for (const char* k : {"consult_time", "participants", "agreed"}) form.set(k, field(req, k));
    d.set("form", form);
    mu::list others;
    for (const domain::Party& p : uc.directory.parties()) {
      if (p.id == c.principal.party) continue;
      mu::data item;
      item.set("id", p.id);
      item.set("name", p.name);
      item.set("selected", field(req, "party") == p.id);
      others.push_back(item);
    }
    d.set("consult_parties", others);
  }

  void consult(const httplib::Request& req, httplib::Response& res, const Caller& c) {
    const int64_t id = std::stoll(req.matches[1]);
    const auto parties = uc.queries.parties_of("incidents", id);
    const auto view = api::policy::view_of(c.principal, parties, "incidents/" + std::to_string(id));
    if (!view.ok()) return send_error(res, c, view.status());
    if (auto s = api::policy::may_consult(c.principal, *parties); !s.ok()) {
      return send_error(res, c, s);
    }
    const auto consulted =
        uc.record_consultation.run({c.principal.name, c.principal.party}, id,
                                   {field(req, "consult_time"), field(req, "party"),
                                    field(req, "participants"), field(req, "agreed")});
    if (consulted.ok()) return res.set_redirect("/incidents/" + std::to_string(id), 303);
    const absl::Status& s = consulted.status();
    if (!refused_at_form(s)) {
      return send_error(res, c, s);
    }
    const auto [name, why] = split_field_error(std::string(s.message()));
    const bool known = name == "consult_time" || name == "participants" || name == "agreed";
    std::map<std::string, std::string> errors{{known ? name : "consult", form_refusal(c, s, why)}};
    said_on_top(errors, s, form_refusal(c, s, why));
    incident_page(req, res, c, errors, 422);
  }

  // What a request's owner's DPO does while its answer is open: record the identification of
  // the subject (GDPR art. 12(6)) and refuse to act (art. 12(5)); prefilled with what was
  // refused.
  // Whether a request's answer to the data subject (GDPR art. 12(3)) is open.
  static bool answer_open(const std::vector<domain::Obligation>& obligations) {
    return std::any_of(obligations.begin(), obligations.end(), [](const auto& o) {
      return o.rule == domain::rule_id::kAnswer && o.state == domain::ObligationState::kOpen;
    });
  }

  void answer_forms(const httplib::Request& req, const Caller& c, mu::data& d,
                    const domain::Request& q,
                    const std::vector<domain::Obligation>& obligations) const {
    const bool may = answer_open(obligations) && !q.close_time &&
                     api::policy::may_change(c.principal, q.party).ok();
    const std::string base = "/requests/" + std::to_string(q.id);
    d.set("can_identify", may && !q.identification_time);
    d.set("identify_action", base + "/identification");
    d.set("can_refuse", may);
    d.set("refuse_action", base + "/refuse");
    mu::data form = *d.get("form");
    form.set("identification_time", field(req, "identification_time"));
    form.set("refusal_reason", field(req, "refusal_reason"));
    d.set("form", form);
    // The next step, the only one the request can take: asking, or (once asked) receiving.
    const std::string step = q.identification_asked_time ? "received" : "asked";
    mu::list steps;
    mu::data item;
    item.set("value", step);
    item.set("label", label(c.lang, "identification_" + step));
    item.set("checked", true);
    steps.push_back(item);
    d.set("identification_steps", steps);
    mu::list grounds;
    if (const domain::Rule* rule = domain::find_rule(domain::rule_id::kAnswer)) {
      for (const auto& g : rule->refusal_grounds) {
        mu::data item;
        item.set("value", std::string(g.code));
        item.set("label", label(c.lang, "refusal_" + std::string(g.code)));
        item.set("checked", field(req, "refusal_ground") == g.code);
        grounds.push_back(item);
      }
    }
    d.set("refusal_grounds", grounds);
  }

  void identify(const httplib::Request& req, httplib::Response& res, const Caller& c) {
    const int64_t id = std::stoll(req.matches[1]);
    if (!changeable(res, c, "requests", id)) return;
    const std::string step = field(req, "step");
    std::string time = field(req, "identification_time");
    if (time.empty()) time = domain::format_rfc3339(clock.now(), *c.zone);  // as the hint says
    std::map<std::string, std::string> errors;
    if (step != "asked" && step != "received") errors["step"] = label(c.lang, "required");
    if (errors.empty()) {
      const auto recorded =
          uc.record_identification.run({c.principal.name, c.principal.party}, id,
                                       step == "asked" ? time : "", step == "received" ? time : "");
      if (recorded.ok()) return res.set_redirect("/requests/" + std::to_string(id), 303);
      const absl::Status& s = recorded.status();
      if (!refused_at_form(s)) {
        return send_error(res, c, s);
      }
      const auto [name, why] = split_field_error(std::string(s.message()));
      const bool at_time = s.code() == absl::StatusCode::kInvalidArgument &&
                           (name == "asked_time" || name == "received_time");
      errors[at_time ? "identification_time" : "identification"] = form_refusal(c, s, why);
      said_on_top(errors, s, form_refusal(c, s, why));
    }
    request_page(req, res, c, errors, 422);
  }

  void refuse(const httplib::Request& req, httplib::Response& res, const Caller& c) {
    const int64_t id = std::stoll(req.matches[1]);
    if (!changeable(res, c, "requests", id)) return;
    const auto refused =
        uc.refuse_request.run({c.principal.name, c.principal.party}, id,
                              field(req, "refusal_ground"), field(req, "refusal_reason"));
    if (refused.ok()) return res.set_redirect("/requests/" + std::to_string(id), 303);
    const absl::Status& s = refused.status();
    if (!refused_at_form(s)) {
      return send_error(res, c, s);
    }
    const auto [name, why] = split_field_error(std::string(s.message()));
    const std::string at = name == "ground"   ? "refusal_ground"
                           : name == "reason" ? "refusal_reason"
                                              : "refusal";
    std::map<std::string, std::string> errors{{at, form_refusal(c, s, why)}};
    said_on_top(errors, s, form_refusal(c, s, why));
    request_page(req, res, c, errors, 422);
  }

  // ---- notices ----

  // A notice as its reader may see it (policy::view_of, as GetNotification), or the refusal
  // sent.
  std::optional<app::NotificationRecord> readable_notice(httplib::Response& res, const Caller& c,
                                                         int64_t id) const {
    const auto view = api::policy::view_of(c.principal, uc.queries.parties_of("notifications", id),
                                           "notifications/" + std::to_string(id));
    if (!view.ok()) {
      send_error(res, c, view.status());
      return std::nullopt;
    }
    auto record = uc.notifications.get(id);
    if (!record.ok()) {
      send_error(res, c, record.status());
      return std::nullopt;
    }
    return app::as_viewed(std::move(*record), *view, c.principal.party);
  }

  // The review of a notice: the mail as it would go out now (as `termijn notification show`),
  // and, while it is held or failed, the button that sends it, for the owner's DPO.
  void notice_page(const Caller& c, httplib::Response& res, int64_t id,
                   const std::string& form_error, int status) {
    const auto record = readable_notice(res, c, id);
    if (!record) return;
    const domain::Notification& n = record->notification;
    mu::data d = base_data(c);
    d.set("id", std::to_string(id));
    d.set("state", label(c.lang, "notice_" + std::string(domain::name_of(n.state))));
    const auto& o = record->obligation;
    if (o.id != 0) {
      d.set("recipient", recipient(c, o));
      d.set("subject_href", subject_page(o));
      d.set("subject_label", subject_label(c, o));
    } else {
      // A checkpoint mail or a webhook alert: to its party's DPO, about no record of the console.
      d.set("recipient", party_dpo(c, n.recipient_party));
      d.set("subject_label", record->related);
    }
    const bool sendable = n.state == domain::NotificationState::kHeld ||
                          n.state == domain::NotificationState::kFailed;
    d.set("held", n.state == domain::NotificationState::kHeld);
    d.set("can_send", sendable && api::policy::may_close(c.principal, o.owner_party).ok());
    if (!form_error.empty()) d.set("form_error", form_error);
    const auto mail = uc.composer.compose(n);
    if (!mail.ok()) return send_error(res, c, mail.status());
    const auto addresses = [](const std::vector<notify::MailAddress>& list) {
      std::string out;
      for (const auto& a : list) out += (out.empty() ? "" : ", ") + a.email;
      return out;
    };
    d.set("mail_from", mail->from.email);
    d.set("mail_to", addresses(mail->to));
    d.set("mail_cc", addresses(mail->cc));
    d.set("mail_subject", mail->subject);
    d.set("mail_body", mail->text_body);
    std::string files;
    for (const auto& a : mail->attachments) files += (files.empty() ? "" : ", ") + a.file_name;
    d.set("attachments", files);
    send_page(
        res, status,
        render("notification", label(c.lang, "notification") + " " + std::to_string(id), c, d));
  }

  // Sends a held (or failed) notice now: the owner's DPO, as SendNotification.
  void send_notice(const httplib::Request& req, httplib::Response& res, const Caller& c) {
    const int64_t id = std::stoll(req.matches[1]);
    const auto record = readable_notice(res, c, id);
    if (!record) return;
    if (auto s = app::serves_obligation(record->notification); !s.ok()) {
      return send_error(res, c, s);
    }
    if (auto s = api::policy::may_close(c.principal, record->obligation.owner_party); !s.ok()) {
      return send_error(res, c, s);
    }
    const auto sent = uc.notifications.release({c.principal.name, c.principal.party}, id);
    if (sent.ok()) return res.set_redirect(subject_page(record->obligation), 303);
    if (sent.status().code() != absl::StatusCode::kFailedPrecondition) {
      return send_error(res, c, sent.status());
    }
    notice_page(c, res, id, form_refusal(c, sent.status(), std::string(sent.status().message())),
                422);
  }

  // ---- registers ----

  // Whose register a page asks for: ?party=, else the caller's party, else (an auditor's) the
  // first party.
  std::string register_party(const httplib::Request& req, const Caller& c) const {
    std::string party = req.get_param_value("party");
    if (party.empty()) party = c.principal.party;
    if (party.empty()) party = uc.directory.parties().front().id;
    return party;
  }

  // The register a page asks for (?party=, default the caller's own; ?year=, empty: every
  // year), if `c` may read it: policy::may_read_register, as for the gRPC export.
  absl::StatusOr<app::RegisterScope> register_scope(const httplib::Request& req,
                                                    const Caller& c) const {
    const std::string party = register_party(req, c);
    int year = 0;
    if (const std::string text = req.get_param_value("year"); !text.empty()) {
      const auto parsed = whole_number(text);
      if (!parsed) return absl::InvalidArgumentError("year: not a whole number");
      year = static_cast<int>(std::clamp<int64_t>(*parsed, -1, 10000));
    }
    return api::readable_register(uc.registers, c.principal, party, year);
  }

  // The next page of the register of `Entry`s of `scope` after `after`, as the gRPC export
  // streams it; moves `after` on and says whether there is `more`.
  template <typename Entry>
  absl::StatusOr<std::vector<Entry>> register_page(const app::RegisterScope& scope,
                                                   api::RegisterCursor& after, bool& more) {
    return api::next_register_page<Entry>(uc.registers, uc.directory, scope, after, more);
  }

  std::string register_time(const Caller& c, const google::protobuf::Timestamp& t, bool set,
                            const std::string& zone) const {
    if (!set) return "-";
    const domain::TimeZone* tz = domain::TimeZone::find(zone);
    return (tz != nullptr ? tz : c.zone)
        ->format(domain::Instant{std::chrono::seconds{t.seconds()}}, "%Y-%m-%d %H:%M %Z");
  }

  std::string timeliness(const Caller& c, const v1::RegisterDuty* duty) const {
    return duty == nullptr ? "-" : label(c.lang, "tl_" + v1::spelling(duty->timeliness()));
  }

  // A row of the register's table: the record's link and its cells.
  mu::data register_row(const Caller& c, const v1::IncidentRegisterEntry& e) const {
    const v1::Incident& i = e.incident();
    const std::string risk = i.risk() == v1::RISK_UNSPECIFIED ? "unknown" : v1::spelling(i.risk());
    return table_row(
        i.name(), {register_time(c, i.aware_time(), i.has_aware_time(), e.time_zone()),
                   label(c.lang, "risk_" + risk),
                   timeliness(c, cli::duty_of(e.duties(), domain::rule_id::kAuthorityNotice)),
                   timeliness(c, cli::duty_of(e.duties(), domain::rule_id::kSubjectsNotice)),
                   label(c.lang, i.has_close_time() ? "record_closed" : "record_open"), i.title()});
  }
  mu::data register_row(const Caller& c, const v1::RequestRegisterEntry& e) const {
    const v1::Request& r = e.request();
    const v1::RegisterDuty* answer = cli::duty_of(e.duties(), cli::kAnswerRule);
    return table_row(
        r.name(),
        {label(c.lang, "kind_" + v1::spelling(r.kind())),
         register_time(c, r.receive_time(), r.has_receive_time(), e.time_zone()),
         answer ? register_time(c, answer->obligation().due_time(), true, e.time_zone()) : "-",
         timeliness(c, answer), label(c.lang, r.has_close_time() ? "record_closed" : "record_open"),
         r.summary()});
  }

  static mu::data table_row(const std::string& name, const std::vector<std::string>& cells) {
    mu::data row;
    row.set("name", name.substr(name.find('/') + 1));
    row.set("href", "/" + name);
    mu::list list;
    for (const std::string& cell : cells) list.push_back(mu::data(cell));
    row.set("cells", list);
    return row;
  }

  // The register `kind` ("incidents" or "requests") as a table, with its filter and the link to
  // its CSV export. A refused filter is shown at its field.
  template <typename Entry>
  void register_table(const httplib::Request& req, httplib::Response& res, const Caller& c,
                      const std::string& kind, const std::vector<std::string>& headers) {
    mu::data d = base_data(c);
    const std::string heading =
        label(c.lang, kind == "incidents" ? "breach_register" : "request_register");
    d.set("heading", heading);
    d.set("action", "/registers/" + kind);
    d.set("is_" + kind, true);
    const std::string year = req.get_param_value("year");
    const std::string party = register_party(req, c);
    d.set("year", year);
    mu::list columns;
    columns.push_back(mu::data(label(c.lang, kind == "incidents" ? "incident" : "request")));
    for (const std::string& h : headers) columns.push_back(mu::data(label(c.lang, h)));
    d.set("columns", columns);
    mu::list rows;
    int status = 200;
    const auto scope = register_scope(req, c);
    if (scope.ok()) {
      const auto y = whole_number(year);
      d.set("csv_href", "/registers/" + kind + ".csv?party=" + scope->party +
                            (y && *y != 0 ? "&year=" + std::to_string(*y) : ""));
      api::RegisterCursor after;
      for (bool more = true; more;) {
        auto page = register_page<Entry>(*scope, after, more);
        if (!page.ok()) return send_error(res, c, page.status());
        for (const Entry& e : *page) rows.push_back(register_row(c, e));
      }
    } else if (scope.status().code() == absl::StatusCode::kInvalidArgument) {
      const auto [name, why] = split_field_error(std::string(scope.status().message()));
      mu::data errs;
      errs.set(name == "party" ? "party" : "year", field_error(c.lang, why));
      d.set("errors", errs);
      status = 422;
    } else {
      return send_error(res, c, scope.status());
    }
    d.set("rows", rows);
    d.set("has_rows", !rows.empty());
    d.set("parties", party_choices(party));
    send_page(res, status, render("register", heading, c, d));
  }

  // The register as CSV, the very file `termijn register ... -o csv` writes (UTF-8 with BOM,
  // RFC 4180), as a download. The first page is read before the answer starts, so that a refusal
  // or a failing read is an error page; the rest streams page by page.
  template <typename Entry, typename Row>
  void register_csv(const httplib::Request& req, httplib::Response& res, const Caller& c,
                    const std::string& file, const std::vector<std::string>& columns, Row row) {
    const auto scope = register_scope(req, c);
    if (!scope.ok()) return send_error(res, c, scope.status());
    struct State {
      app::RegisterScope scope;
      api::RegisterCursor after;
      bool more = true;
      std::string pending;
    };
    auto state = std::make_shared<State>();
    state->scope = *scope;
    state->pending = std::string(cli::kUtf8Bom) + cli::csv_record(columns);
    auto first = register_page<Entry>(state->scope, state->after, state->more);
    if (!first.ok()) return send_error(res, c, first.status());
    for (const Entry& e : *first) state->pending += cli::csv_record(row(e));
    const auto year = whole_number(req.get_param_value("year"));
    res.set_header("Content-Disposition",
                   "attachment; filename=\"" + file + "-" + scope->party +
                       (year && *year != 0 ? "-" + std::to_string(*year) : "") + ".csv\"");
    const std::string who = c.principal.name;
    res.set_chunked_content_provider(
        "text/csv; charset=utf-8", [this, state, row, who](size_t, httplib::DataSink& sink) {
          if (!state->pending.empty()) {
            const std::string out = std::move(state->pending);
            state->pending.clear();
            return sink.write(out.data(), out.size());
          }
          if (!state->more) {
            sink.done();
            return true;
          }
          auto page = register_page<Entry>(state->scope, state->after, state->more);
          if (!page.ok()) {
            // The status line is gone: the download ends without its last chunk.
            spdlog::error("web: register export for {} failed: {}", who,
                          std::string(page.status().message()));
            return false;
          }
          for (const Entry& e : *page) state->pending += cli::csv_record(row(e));
          return true;
        });
  }

  // Records the DPO's assessment through UpdateIncident (a field mask of the four fields; what
  // did not change is not written). Bad input is shown at its field; nothing changes then.
  void assess_incident(const httplib::Request& req, httplib::Response& res, const Caller& c) {
    const int64_t id = std::stoll(req.matches[1]);
    if (!changeable(res, c, "incidents", id)) return;
    std::map<std::string, std::string> errors;
    app::IncidentChange change;
    change.paths = {"subject_count", "consequences", "measures"};
    const auto risk = domain::parse_name<domain::Risk>(field(req, "risk"));
    if (!risk) errors["risk"] = label(c.lang, "required");
    // Left at "not assessed yet": the rest is recorded, the risk stays unassessed.
    if (risk && *risk != domain::Risk::kUnknown) change.paths.insert(change.paths.begin(), "risk");
    change.risk = risk.value_or(domain::Risk::kUnknown);
    change.consequences = field(req, "consequences");
    change.measures = field(req, "measures");
    if (const std::string count = field(req, "subject_count"); !count.empty()) {
      const auto parsed = whole_number(count);
      if (!parsed) errors["subject_count"] = label(c.lang, "not_a_number");
      change.subject_count = parsed.value_or(0);
    }
    if (errors.empty()) {
      const auto updated =
          uc.update_incident.run({c.principal.name, c.principal.party}, id, change);
      if (updated.ok()) return res.set_redirect("/incidents/" + std::to_string(id), 303);
      if (updated.status().code() != absl::StatusCode::kInvalidArgument) {
        return send_error(res, c, updated.status());
      }
      const auto [name, reason] = split_field_error(std::string(updated.status().message()));
      errors[name] = field_error(c.lang, reason);
    }
    incident_page(req, res, c, errors, 422);
  }

  // Why a record with open obligations cannot be closed, each named as the page names it
  // ("Verplichting 4 (Melding van de inbreuk aan de toezichthoudende autoriteit)"); the API's
  // reason lists ids and rule ids.
  std::string still_open(const Caller& c, const std::string& collection, int64_t id) const {
    std::vector<domain::Obligation> obligations;
    if (collection == "incidents") {
      if (auto r = uc.queries.incident(id); r.ok()) obligations = std::move(r->obligations);
    } else if (auto r = uc.queries.request(id, false); r.ok()) {
      obligations = std::move(r->obligations);
    }
    std::string list;
    for (const domain::Obligation& o : obligations) {
      if (o.state != domain::ObligationState::kOpen) continue;
      list += (list.empty() ? "" : ", ") + label(c.lang, "obligation") + " " +
              std::to_string(o.id) + " (" + domain::rule_name(o.rule, c.lang == "nl") +
              // Which party's, where one duty is owed to each.
              (o.recipient_kind == domain::RecipientKind::kPartyDpo ? ", " + recipient(c, o) : "") +
              ")";
    }
    // Read again after the refusal: closed meanwhile, or unreadable, the use case's own reason.
    if (list.empty()) return "";
    return replace(label(c.lang, "err_open_obligations"), "{list}", list);
  }

  // Closes an incident or request (`collection`) with a summary: its owner's DPO only, once
  // every obligation is closed. A refusal is shown at the summary; nothing changes then.
  void close_record(const httplib::Request& req, httplib::Response& res, const Caller& c,
                    const std::string& collection) {
    const int64_t id = std::stoll(req.matches[1]);
    if (!changeable(res, c, collection, id)) return;
    const std::string summary = field(req, "summary");
    absl::Status closed = absl::InvalidArgumentError("summary: required");
    if (!summary.empty()) {
      const app::Actor actor{c.principal.name, c.principal.party};
      closed = collection == "incidents" ? uc.close_incident.run(actor, id, summary).status()
                                         : uc.close_request.run(actor, id, summary).status();
    }
    if (closed.ok()) return res.set_redirect("/" + collection + "/" + std::to_string(id), 303);
    if (!refused_at_form(closed)) {
      return send_error(res, c, closed);
    }
    const auto [name, reason] = split_field_error(std::string(closed.message()));
    std::string why = form_refusal(c, closed, reason);
    if (reason.find(" has open obligations: ") != std::string::npos) {
      if (std::string named = still_open(c, collection, id); !named.empty()) why = named;
    }
    std::map<std::string, std::string> errors{{"summary", why}};
    said_on_top(errors, closed, why);
    if (collection == "incidents") return incident_page(req, res, c, errors, 422);
    request_page(req, res, c, errors, 422);
  }

  void request_copy(const httplib::Request& req, httplib::Response& res, const Caller& c) {
    const int64_t id = std::stoll(req.matches[1]);
    const auto view = api::policy::view_of(c.principal, uc.queries.parties_of("requests", id),
                                           "requests/" + std::to_string(id));
    if (!view.ok()) return send_error(res, c, view.status());
    auto record = uc.queries.request(id, true);
    if (!record.ok()) return send_error(res, c, record.status());
    const auto r = app::as_viewed(std::move(*record), *view, c.principal.party);
    if (!r.request.copy) {
      return send_error(res, c, absl::NotFoundError("this request has no copy"), "refused_no_copy");
    }
    // Always a download, never rendered in the console's origin.
    res.set_header("Content-Disposition",
                   attachment_disposition(domain::download_name(r.request.copy->file_name,
                                                                r.request.copy->media_type)));
    res.set_content(r.request.copy->bytes, r.request.copy->media_type);
  }

  void obligation_page(const Caller& c, httplib::Response& res, int64_t id, mu::data form,
                       mu::data errors, const std::string& form_error, int status) {
    const auto view = api::policy::view_of(c.principal, uc.queries.parties_of("obligations", id),
                                           "obligations/" + std::to_string(id));
    if (!view.ok()) return send_error(res, c, view.status());
    auto o = uc.queries.obligation(id);
    if (!o.ok()) return send_error(res, c, o.status());
    const domain::Obligation seen = app::as_viewed(std::move(*o), *view, c.principal.party);
    mu::data d = base_data(c);
    mu::data od = obligation_data(c, seen);
    for (const char* key : {"id", "rule", "rule_name", "legal_basis", "recipient", "due", "due_iso",
                            "due_epoch", "legal_due", "open", "countdown", "urgency", "next_step",
                            "state", "evidence", "explanation", "subject_href", "subject_label"}) {
      if (const mu::data* value = od.get(key)) d.set(key, *value);
    }
    d.set("can_close", seen.state == domain::ObligationState::kOpen &&
                           api::policy::may_close(c.principal, seen.owner_party).ok());
    const domain::Rule* rule = domain::find_rule(seen.rule);
    mu::list grounds;
    if (rule != nullptr) {
      for (const auto& g : rule->waiver_grounds) {
        mu::data item;
        item.set("code", std::string(g.code));
        // What the ground is, in the user's language (the rules table's English otherwise).
        const std::string key = "ground_" + seen.rule + "_" + std::string(g.code);
        const std::string text = label(c.lang, key);
        item.set("text", text != key ? text : std::string(g.text));
        grounds.push_back(item);
      }
    }
    d.set("has_grounds", !grounds.empty());
    d.set("grounds", grounds);
    d.set("form", form);
    d.set("errors", errors);
    if (!form_error.empty()) d.set("form_error", form_error);
    send_page(res, status,
              render("obligation", label(c.lang, "obligation") + " " + std::to_string(id), c, d));
  }

  void close_obligation(const httplib::Request& req, httplib::Response& res, const Caller& c,
                        bool fulfil) {
    const int64_t id = std::stoll(req.matches[1]);
    const auto view = api::policy::view_of(c.principal, uc.queries.parties_of("obligations", id),
                                           "obligations/" + std::to_string(id));
    if (!view.ok()) return send_error(res, c, view.status());
    const auto current = uc.queries.obligation(id);
    if (!current.ok()) return send_error(res, c, current.status());
    if (auto s = api::policy::may_close(c.principal, current->owner_party); !s.ok()) {
      return send_error(res, c, s);
    }
    const std::string text = field(req, fulfil ? "evidence" : "reason");
    const std::string ground = field(req, "ground");
    mu::data form, errors;
    form.set(fulfil ? "evidence" : "reason", text);
    absl::StatusOr<domain::Obligation> closed =
        absl::InvalidArgumentError(std::string(fulfil ? "evidence" : "reason") + ": required");
    if (!text.empty()) {
      const app::Actor actor{c.principal.name, c.principal.party};
      closed = fulfil ? uc.close_obligation.fulfil(actor, id, text)
                      : uc.close_obligation.waive(actor, id, text, ground);
    }
    if (closed.ok()) return res.set_redirect(subject_page(*closed), 303);
    if (closed.status().code() != absl::StatusCode::kInvalidArgument) {
      return send_error(res, c, closed.status());
    }
    const auto [name, reason] = split_field_error(std::string(closed.status().message()));
    errors.set(name.empty() ? (fulfil ? "evidence" : "reason") : name, field_error(c.lang, reason));
    obligation_page(c, res, id, form, errors, "", 422);
  }

  void acknowledge(const httplib::Request& req, httplib::Response& res, const Caller& c) {
    const int64_t id = std::stoll(req.matches[1]);
    const auto view = api::policy::view_of(c.principal, uc.queries.parties_of("notifications", id),
                                           "notifications/" + std::to_string(id));
    if (!view.ok()) return send_error(res, c, view.status());
    auto record = uc.notifications.get(id);
    if (!record.ok()) return send_error(res, c, record.status());
    if (auto s = app::serves_obligation(record->notification); !s.ok()) {
      return send_error(res, c, s);
    }
    if (auto s = api::policy::may_acknowledge(c.principal, record->obligation.recipient_party);
        !s.ok()) {
      return send_error(res, c, s);
    }
    auto acked = uc.notifications.acknowledge({c.principal.name, c.principal.party}, id);
    if (!acked.ok()) return send_error(res, c, acked.status());
    res.set_redirect(subject_page(record->obligation), 303);
  }

  template <typename Enum>
  mu::list choices(const Caller& c, const std::vector<Enum>& all, const std::string& prefix,
                   const std::vector<std::string>& chosen) const {
    mu::list items;
    for (Enum v : all) {
      const std::string value(domain::name_of(v));
      mu::data item;
      item.set("value", value);
      item.set("label", label(c.lang, prefix + value));
      item.set("checked", std::find(chosen.begin(), chosen.end(), value) != chosen.end());
      items.push_back(item);
    }
    return items;
  }

  // A form page's data: the values as submitted and each error at its field ("" is about the
  // whole form).
  mu::data form_data(const httplib::Request& req, const Caller& c,
                     const std::map<std::string, std::string>& errors,
                     std::initializer_list<const char*> keys) const {
    mu::data d = base_data(c);
    mu::data form, errs;
    for (const char* k : keys) form.set(k, field(req, k));
    for (const auto& [k, v] : errors) {
      if (!k.empty()) errs.set(k, v);
    }
    d.set("form", form);
    d.set("errors", errs);
    d.set("has_errors", !errors.empty());
    if (errors.count("")) d.set("general_error", errors.at(""));
    return d;
  }

  // Records what a valid form describes if `allowed` (the policy the gRPC call checks too:
  // policy::may_record, policy::may_report_matter), by `run`, which returns the new record's page,
  // and redirects there. False, with the refusal at its field in `errors`, when the form is to be
  // shown again; nothing is stored then.
  template <typename Run>
  bool created(httplib::Response& res, const Caller& c, const absl::Status& allowed,
               std::map<std::string, std::string>& errors, Run run) {
    if (!errors.empty()) return false;
    if (!allowed.ok()) {
      send_error(res, c, allowed);
      return true;
    }
    const absl::StatusOr<std::string> page = run();
    if (page.ok()) {
      res.set_redirect(*page, 303);
      return true;
    }
    if (page.status().code() != absl::StatusCode::kInvalidArgument &&
        page.status().code() != absl::StatusCode::kAlreadyExists) {
      send_error(res, c, page.status());
      return true;
    }
    const auto [name, reason] = split_field_error(std::string(page.status().message()));
    errors[name] = field_error(c.lang, reason);
    return false;
  }

  void incident_form(const httplib::Request& req, httplib::Response& res, const Caller& c,
                     const std::map<std::string, std::string>& errors, int status,
                     const mu::list& preview = {}) {
    using domain::DataCategory, domain::SubjectGroup, domain::Risk;
    mu::data d = form_data(req, c, errors,
                           {"title", "aware_time", "description", "subject_count", "external_ref"});
    d.set("categories", choices(c,
                                std::vector{DataCategory::kIdentification, DataCategory::kContact,
                                            DataCategory::kFinancial, DataCategory::kPlanning,
                                            DataCategory::kMedical, DataCategory::kCriminal},
                                "cat_", fields(req, "categories")));
    d.set("groups", choices(c,
                            std::vector{SubjectGroup::kStaff, SubjectGroup::kClients,
                                        SubjectGroup::kRepresentatives},
                            "grp_", fields(req, "subject_groups")));
    d.set("risks", choices(c, std::vector{Risk::kUnknown, Risk::kNone, Risk::kRisk, Risk::kHigh},
                           "risk_", {field(req, "risk")}));
    set_preview(d, preview);
    send_page(res, status, render("incident_form", label(c.lang, "report_incident"), c, d));
  }

  static void set_preview(mu::data& d, const mu::list& preview) {
    d.set("has_preview", !preview.empty());
    d.set("preview", preview);
  }

  // The deadlines an event of `trigger` at `time` would start for the caller's party, as
  // PreviewObligations; nothing is stored. False, with the refusal at `time_field` in `errors`,
  // when the time is refused.
  bool previewed(const Caller& c, domain::Trigger trigger, const std::string& time,
                 std::optional<domain::RequestKind> kind, const std::string& time_field,
                 std::map<std::string, std::string>& errors, mu::list& rows) const {
    const auto planned = uc.preview.run(trigger, c.principal.party, time, kind);
    if (!planned.ok()) {
      const auto [name, why] = split_field_error(std::string(planned.status().message()));
      errors[time_field] = field_error(c.lang, why);
      return false;
    }
    for (const auto& o : *planned) rows.push_back(obligation_data(c, o));
    return true;
  }

  void report_incident(const httplib::Request& req, httplib::Response& res, const Caller& c) {
    std::map<std::string, std::string> errors;
    if (field(req, "preview") == "1") {
      mu::list rows;
      // A high risk assessed at the report starts GDPR art. 34 then, as ReportIncident plans it.
      const bool ok =
          previewed(c, domain::Trigger::kIncident, field(req, "aware_time"), std::nullopt,
                    "aware_time", errors, rows) &&
          (field(req, "risk") != "high" ||
           previewed(c, domain::Trigger::kHighRisk, "", std::nullopt, "risk", errors, rows));
      return incident_form(req, res, c, errors, ok ? 200 : 422, rows);
    }
    app::ReportIncidentInput in;
    in.party = c.principal.party;
    in.title = field(req, "title");
    in.aware_time = field(req, "aware_time");
    in.description = field(req, "description");
    in.ticket_ref = field(req, "external_ref");
    if (in.title.empty()) errors["title"] = label(c.lang, "required");
    for (const std::string& v : fields(req, "categories")) {
      if (auto cat = domain::parse_name<domain::DataCategory>(v)) in.categories.push_back(*cat);
    }
    for (const std::string& v : fields(req, "subject_groups")) {
      if (auto g = domain::parse_name<domain::SubjectGroup>(v)) in.subject_groups.push_back(*g);
    }
    if (auto risk = domain::parse_name<domain::Risk>(field(req, "risk"))) in.risk = *risk;
    if (const std::string count = field(req, "subject_count"); !count.empty()) {
      const auto parsed = whole_number(count);
      if (!parsed) errors["subject_count"] = label(c.lang, "not_a_number");
      in.subject_count = parsed.value_or(0);
    }
    const absl::Status allowed = api::policy::may_record(c.principal, in.party);
    const bool done = created(res, c, allowed, errors, [&]() -> absl::StatusOr<std::string> {
      auto record = uc.report_incident.run({c.principal.name, c.principal.party}, in);
      if (!record.ok()) return record.status();
      return "/incidents/" + std::to_string(record->incident.id);
    });
    if (!done) incident_form(req, res, c, errors, 422);
  }

  void request_form(const httplib::Request& req, httplib::Response& res, const Caller& c,
                    const std::map<std::string, std::string>& errors, int status,
                    const mu::list& preview = {}) {
    using K = domain::RequestKind;
    mu::data d = form_data(req, c, errors, {"receive_time", "summary", "external_ref"});
    d.set("copy_hint",
          replace(label(c.lang, "copy_hint"), "{max}", size_text(settings.max_copy_bytes, c.lang)));
    d.set("kinds", choices(c,
                           std::vector{K::kAccess, K::kRectification, K::kErasure, K::kRestriction,
                                       K::kPortability, K::kObjection, K::kAutomatedDecision,
                                       K::kAuthorityMessage},
                           "kind_", {field(req, "kind")}));
    set_preview(d, preview);
    send_page(res, status, render("request_form", label(c.lang, "log_request"), c, d));
  }

  void log_request(const httplib::Request& req, httplib::Response& res, const Caller& c) {
    std::map<std::string, std::string> errors;
    if (field(req, "preview") == "1") {
      mu::list rows;
      const bool ok = previewed(c, domain::Trigger::kRequest, field(req, "receive_time"),
                                domain::parse_name<domain::RequestKind>(field(req, "kind")),
                                "receive_time", errors, rows);
      return request_form(req, res, c, errors, ok ? 200 : 422, rows);
    }
    app::LogRequestInput in;
    in.party = c.principal.party;
    in.kind = domain::parse_name<domain::RequestKind>(field(req, "kind"));
    in.receive_time = field(req, "receive_time");
    in.summary = field(req, "summary");
    in.external_ref = field(req, "external_ref");
    if (!in.kind) errors["kind"] = label(c.lang, "required");
    if (in.summary.empty()) errors["summary"] = label(c.lang, "required");
    if (req.has_file("copy") && !req.get_file_value("copy").filename.empty()) {
      const auto& file = req.get_file_value("copy");
      if (static_cast<int64_t>(file.content.size()) > settings.max_copy_bytes) {
        errors["copy"] = replace(label(c.lang, "too_large"), "{max}",
                                 size_text(settings.max_copy_bytes, c.lang));
      } else {
        // The use case checks the declared type against the content and the allowlist.
        in.copy = domain::Attachment{file.filename, file.content_type, "", 0, file.content};
      }
    }
    const absl::Status allowed = api::policy::may_record(c.principal, in.party);
    const bool done = created(res, c, allowed, errors, [&]() -> absl::StatusOr<std::string> {
      auto record = uc.log_request.run({c.principal.name, c.principal.party}, in);
      if (!record.ok()) return record.status();
      return "/requests/" + std::to_string(record->request.id);
    });
    if (!done) request_form(req, res, c, errors, 422);
  }

  void matter_form(const httplib::Request& req, httplib::Response& res, const Caller& c,
                   const std::map<std::string, std::string>& errors, int status) {
    using K = domain::MatterKind;
    mu::data d = form_data(req, c, errors, {"event_time", "summary", "staff_ref"});
    // Only the kinds the caller may report: a termination takes the dpo role.
    std::vector<K> kinds;
    for (const K kind : {K::kDataQuality, K::kLawChange, K::kProcessorChange, K::kStaffDeparture,
                         K::kTerminationArt10, K::kTerminationArt18}) {
      if (api::policy::may_report_matter(c.principal, c.principal.party, kind).ok()) {
        kinds.push_back(kind);
      }
    }
    d.set("kinds", choices(c, kinds, "matter_", {field(req, "kind")}));
    send_page(res, status, render("matter_form", label(c.lang, "report_matter"), c, d));
  }

  // Records a protocol matter through ReportMatter, for the caller's own party.
  void report_matter(const httplib::Request& req, httplib::Response& res, const Caller& c) {
    std::map<std::string, std::string> errors;
    app::ReportMatterInput in;
    in.party = c.principal.party;
    const auto kind = domain::parse_name<domain::MatterKind>(field(req, "kind"));
    if (!kind) errors["kind"] = label(c.lang, "required");
    in.kind = kind.value_or(domain::MatterKind::kDataQuality);
    in.event_time = field(req, "event_time");
    in.summary = field(req, "summary");
    in.staff_ref = field(req, "staff_ref");
    const absl::Status allowed = api::policy::may_report_matter(c.principal, in.party, in.kind);
    const bool done = created(res, c, allowed, errors, [&]() -> absl::StatusOr<std::string> {
      auto record = uc.report_matter.run({c.principal.name, c.principal.party}, in);
      if (!record.ok()) return record.status();
      return "/matters/" + std::to_string(record->matter.id);
    });
    if (!done) matter_form(req, res, c, errors, 422);
  }

  void compliance(httplib::Response& res, const Caller& c) {
    const auto scope = api::policy::list_scope(c.principal, "", uc.directory);
    if (!scope.ok()) return send_error(res, c, scope.status());
    app::ObligationQuery q;
    q.include_closed = true;
    q.party = scope->party;
    q.viewer = scope->viewer;
    q.page_size = 500;
    // month -> rule -> (on time, all decided)
    std::map<std::string, std::map<std::string, std::pair<int, int>>> rate;
    std::map<std::string, std::pair<double, int>> notice_hours;  // month -> (sum, count)
    std::set<std::string> rules;
    const auto now = clock.now();
    for (std::string token;;) {
      q.page_token = token;
      auto page = uc.queries.obligations(q);
      if (!page.ok()) return send_error(res, c, page.status());
      for (const auto& o : page->items) {
        if (o.owner_party != c.principal.party && !c.principal.auditor) continue;
        const std::string month = c.zone->format(o.due_time, "%Y-%m");
        const bool late = (o.state == domain::ObligationState::kOpen && now > o.due_time) ||
                          o.state == domain::ObligationState::kMetLate;
        if (o.state == domain::ObligationState::kMet || late) {
          auto& cell = rate[month][o.rule];
          cell.first += late ? 0 : 1;
          cell.second += 1;
          rules.insert(o.rule);
        }
        if (o.rule == domain::rule_id::kBreachNotice && o.closed_time &&
            o.state != domain::ObligationState::kWaived) {
          auto& cell = notice_hours[c.zone->format(o.start_time, "%Y-%m")];
          cell.first += std::chrono::duration<double>(*o.closed_time - o.start_time).count() / 3600;
          cell.second += 1;
        }
      }
      token = page->next_token;
      if (token.empty()) break;
    }
    mu::data d = base_data(c);
    if (!rate.empty()) {
      std::vector<std::string> months;
      for (const auto& [m, _] : rate) months.push_back(m);
      std::vector<Series> series;
      for (const std::string& r : rules) {
        Series s{domain::rule_name(r, c.lang == "nl"), {}};
        for (const auto& m : months) {
          const auto it = rate[m].find(r);
          s.values.push_back(it == rate[m].end()
                                 ? std::nullopt
                                 : std::optional(100.0 * it->second.first / it->second.second));
        }
        series.push_back(std::move(s));
      }
      d.set("rate_chart", bar_chart_svg(label(c.lang, "on_time_rate"), months, series, 100,
                                        "% " + label(c.lang, "on_time")));
    }
    if (!notice_hours.empty()) {
      std::vector<std::string> months;
      Series s{label(c.lang, "awareness_to_notice"), {}};
      double max = 36;
      for (const auto& [m, cell] : notice_hours) {
        months.push_back(m);
        s.values.push_back(cell.first / cell.second);
        max = std::max(max, cell.first / cell.second);
      }
      d.set("notice_chart", bar_chart_svg(label(c.lang, "awareness_to_notice"), months, {s}, max,
                                          label(c.lang, "hours")));
    }
    send_page(res, 200, render("compliance", label(c.lang, "compliance"), c, d));
  }

  // ---- wiring ----

  using PageHandler =
      std::function<void(const httplib::Request&, httplib::Response&, const Caller&)>;

  // Authenticates, sets the caller's language, zone and form token, checks the token of a
  // POST, and renders what went wrong.
  void refuse_unauthenticated(const httplib::Request& req, httplib::Response& res, const Caller& c,
                              const absl::Status& why) {
    spdlog::info("web: refused {} {} from {}: {}", req.method, app::escape_controls(req.path),
                 req.remote_addr, app::escape_controls(std::string(why.message())));
    send_error(res, c, absl::PermissionDeniedError(why.message()), "refused_unauthenticated");
  }

  // Runs before a request's body is read: cpp-httplib 0.11 reads a chunked body whole, past the
  // payload limit, and reads any body before a handler can look at the caller. So a chunked body
  // (which browsers never send) is refused, and a body is read only from a caller whose
  // certificate stands for a principal. The head is in: it is no longer counted (HeadLimit).
  httplib::Server::HandlerResponse before_the_body(const httplib::Request& req,
                                                   httplib::Response& res) {
    HeadLimit::head_read(req.ssl);
    const bool chunked = req.has_header("Transfer-Encoding");
    if (!chunked && req.get_header_value<uint64_t>("Content-Length") == 0) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    // cpp-httplib reads a body for a POST only (of the methods the console serves).
    const bool read = req.method == "POST";
    const auto principal = authenticate(req);
    if (principal.ok() && !chunked && read) return httplib::Server::HandlerResponse::Unhandled;
    Caller c;
    c.zone = uc.directory.parties().front().zone;
    c.back = page_to_return_to(req);
    secure_headers(res, true);
    if (!principal.ok()) {
      refuse_unauthenticated(req, res, c, principal.status());
    } else {
      spdlog::info("web: refused {} {} from {}: {}", req.method, app::escape_controls(req.path),
                   req.remote_addr, chunked ? "a chunked body" : "a body where none is read");
      send_error(res, c,
                 absl::InvalidArgumentError(
                     chunked ? "Transfer-Encoding: a body must come with its length"
                             : "Content-Length: a " + req.method + " request carries no body"));
      res.status = chunked ? 411 : 400;
    }
    stop_reading(req, res);
    return httplib::Server::HandlerResponse::Handled;
  }

  // The unread body of a refused request must not be taken for the next request on the
  // connection (cpp-httplib keeps it open whatever the response says): nothing more is read from
  // it, and close_after() ends it once the response is sent. The response says so, for a
  // client or proxy that would send its next request on it.
  static void stop_reading(const httplib::Request& req, httplib::Response& res) {
    res.set_header("Connection", "close");
    if (req.ssl == nullptr) return;
    // The connection's own SSL, which cpp-httplib hands out as const: as if the client had
    // closed its side, SSL_read returns nothing more, not even what OpenSSL holds decrypted.
    SSL* ssl = const_cast<SSL*>(req.ssl);
    SSL_set_shutdown(ssl, SSL_get_shutdown(ssl) | SSL_RECEIVED_SHUTDOWN);
  }

  // cpp-httplib's logger, called once a response is sent: after one that says "Connection:
  // close", this side ends the connection (TLS close_notify, then TCP FIN), so that the client
  // sees its end at once. cpp-httplib itself waited for the client's next bytes, or 5 s, and
  // held the connection's thread meanwhile. The socket itself is closed by cpp-httplib, as
  // before, once it finds nothing more to read.
  static void close_after(const httplib::Request& req, const httplib::Response& res) {
    HeadLimit::response_sent(req.ssl);
    if (req.ssl == nullptr || res.get_header_value("Connection") != "close") return;
    SSL* ssl = const_cast<SSL*>(req.ssl);
    SSL_shutdown(ssl);
    ::shutdown(SSL_get_fd(ssl), SHUT_WR);
  }

  httplib::Server::Handler guarded(PageHandler handler, bool post) {
    return [this, handler = std::move(handler), post](const httplib::Request& req,
                                                      httplib::Response& res) {
      secure_headers(res, true);
      Caller c;
      auto principal = authenticate(req);
      c.back = page_to_return_to(req);
      // As the log shows it: a path may hold a newline (%0a), which would start a forged line.
      const std::string path = app::escape_controls(req.path);
      const domain::Party& first = uc.directory.parties().front();
      c.zone = first.zone;
      if (!principal.ok()) return refuse_unauthenticated(req, res, c, principal.status());
      c.principal = *principal;
      std::string locale = first.locale;
      if (auto party = uc.directory.find(c.principal.party, "party"); party.ok()) {
        c.zone = (*party)->zone;
        c.party_name = (*party)->name;
        locale = (*party)->locale;
      }
      const std::string chosen = cookie(req, kLangCookie);
      c.lang = is_language(chosen) ? chosen : (is_language(locale) ? locale : "nl");
      std::string nonce = cookie(req, kCsrfCookie);
      if (nonce.size() != 32) {
        nonce = FormTokens::new_nonce();
        res.set_header("Set-Cookie", std::string(kCsrfCookie) + "=" + nonce +
                                         "; Path=/; Secure; HttpOnly; SameSite=Strict");
      }
      c.csrf_token = form_tokens->token(c.principal.name, nonce);
      if (post && !csrf_ok(req, c)) {
        spdlog::warn("web: {} {} by {}: refused, no valid form token or foreign origin", req.method,
                     path, c.principal.name);
        return send_error(res, c,
                          absl::PermissionDeniedError("the form is out of date or came from "
                                                      "another site: reload the page and retry"),
                          "refused_form_token");
      }
      try {
        handler(req, res, c);
      } catch (const std::exception& e) {
        spdlog::error("web: {} {}: unexpected exception: {}", req.method, path,
                      app::escape_controls(e.what()));
        send_error(res, c, absl::InternalError("internal error"));
      }
      // Ids and codes only: record contents are personal data.
      spdlog::info("web: {} {} by {}: {}", req.method, path, c.principal.name, res.status);
    };
  }

  void routes() {
    auto& s = *server;
    s.set_logger(&Impl::close_after);
    s.set_pre_routing_handler(
        [this](const auto& req, auto& res) { return before_the_body(req, res); });
    s.Get("/", guarded([this](auto& req, auto& res, auto& c) { dashboard(req, res, c); }, false));
    s.Get(R"(/incidents/(\d{1,18}))",
          guarded([this](auto& req, auto& res, auto& c) { incident_page(req, res, c); }, false));
    s.Get(R"(/requests/(\d{1,18}))",
          guarded([this](auto& req, auto& res, auto& c) { request_page(req, res, c); }, false));
    s.Get(R"(/matters/(\d{1,18}))",
          guarded([this](auto& req, auto& res, auto& c) { matter_page(req, res, c); }, false));
    s.Get(R"(/requests/(\d{1,18})/copy)",
          guarded([this](auto& req, auto& res, auto& c) { request_copy(req, res, c); }, false));
    s.Get(R"(/obligations/(\d{1,18}))", guarded(
                                            [this](auto& req, auto& res, auto& c) {
                                              obligation_page(c, res, std::stoll(req.matches[1]),
                                                              {}, {}, "", 200);
                                            },
                                            false));
    s.Post(R"(/obligations/(\d{1,18})/fulfil)",
           guarded([this](auto& req, auto& res, auto& c) { close_obligation(req, res, c, true); },
                   true));
    s.Post(R"(/obligations/(\d{1,18})/waive)",
           guarded([this](auto& req, auto& res, auto& c) { close_obligation(req, res, c, false); },
                   true));
    s.Post(R"(/incidents/(\d{1,18})/assess)",
           guarded([this](auto& req, auto& res, auto& c) { assess_incident(req, res, c); }, true));
    for (const std::string collection : {"incidents", "requests"}) {
      s.Post("/" + collection + R"(/(\d{1,18})/close)",
             guarded([this, collection](auto& req, auto& res,
                                        auto& c) { close_record(req, res, c, collection); },
                     true));
    }
    s.Post(R"(/requests/(\d{1,18})/extend)",
           guarded([this](auto& req, auto& res, auto& c) { extend_request(req, res, c); }, true));
    s.Post(R"(/incidents/(\d{1,18})/update)",
           guarded([this](auto& req, auto& res, auto& c) { update_facts(req, res, c); }, true));
    s.Post(R"(/incidents/(\d{1,18})/consult)",
           guarded([this](auto& req, auto& res, auto& c) { consult(req, res, c); }, true));
    s.Post(R"(/requests/(\d{1,18})/identification)",
           guarded([this](auto& req, auto& res, auto& c) { identify(req, res, c); }, true));
    s.Post(R"(/requests/(\d{1,18})/refuse)",
           guarded([this](auto& req, auto& res, auto& c) { refuse(req, res, c); }, true));
    s.Get(R"(/notifications/(\d{1,18}))",
          guarded([this](auto& req, auto& res,
                         auto& c) { notice_page(c, res, std::stoll(req.matches[1]), "", 200); },
                  false));
    s.Post(R"(/notifications/(\d{1,18})/send)",
           guarded([this](auto& req, auto& res, auto& c) { send_notice(req, res, c); }, true));
    s.Get("/registers/incidents",
          guarded(
              [this](auto& req, auto& res, auto& c) {
                register_table<v1::IncidentRegisterEntry>(
                    req, res, c, "incidents",
                    {"aware_time", "risk", "art33", "art34", "state", "title"});
              },
              false));
    s.Get("/registers/requests",
          guarded(
              [this](auto& req, auto& res, auto& c) {
                register_table<v1::RequestRegisterEntry>(
                    req, res, c, "requests",
                    {"kind", "receive_time", "answer_due", "answer", "state", "summary"});
              },
              false));
    s.Get("/registers/incidents.csv", guarded(
                                          [this](auto& req, auto& res, auto& c) {
                                            register_csv<v1::IncidentRegisterEntry>(
                                                req, res, c, "breach-register",
                                                cli::kIncidentColumns, cli::incident_row);
                                          },
                                          false));
    s.Get("/registers/requests.csv", guarded(
                                         [this](auto& req, auto& res, auto& c) {
                                           register_csv<v1::RequestRegisterEntry>(
                                               req, res, c, "request-register",
                                               cli::kRequestColumns, cli::request_row);
                                         },
                                         false));
    s.Post(R"(/notifications/(\d{1,18})/ack)",
           guarded([this](auto& req, auto& res, auto& c) { acknowledge(req, res, c); }, true));
    s.Get("/incidents/new",
          guarded([this](auto& req, auto& res, auto& c) { incident_form(req, res, c, {}, 200); },
                  false));
    s.Post("/incidents",
           guarded([this](auto& req, auto& res, auto& c) { report_incident(req, res, c); }, true));
    s.Get("/requests/new",
          guarded([this](auto& req, auto& res, auto& c) { request_form(req, res, c, {}, 200); },
                  false));
    s.Post("/requests",
           guarded([this](auto& req, auto& res, auto& c) { log_request(req, res, c); }, true));
    s.Get("/matters/new",
          guarded([this](auto& req, auto& res, auto& c) { matter_form(req, res, c, {}, 200); },
                  false));
    s.Post("/matters",
           guarded([this](auto& req, auto& res, auto& c) { report_matter(req, res, c); }, true));
    s.Get("/compliance", guarded([this](auto&, auto& res, auto& c) { compliance(res, c); }, false));
    // The language is a preference, not a change of records: a link switches it.
    s.Get("/lang", guarded(
                       [](auto& req, auto& res, auto&) {
                         const std::string to = req.get_param_value("to");
                         if (is_language(to)) {
                           res.set_header("Set-Cookie", std::string(kLangCookie) + "=" + to +
                                                            "; Path=/; Secure; SameSite=Strict");
                         }
                         res.set_redirect(console_path(req.get_param_value("back")), 303);
                       },
                       false));
    // What no route answers (an unknown page: 404; a request cpp-httplib refused: 400, 413 ...)
    // is a page like the others, in the caller's language.
    s.set_error_handler(httplib::Server::HandlerWithResponse(
        [page = guarded(
             [this](auto& req, auto& res, auto& c) {
               const int code = res.status;
               // A body past the limit (a copy larger than max_copy_bytes) says the limit.
               const std::string refused = code == 413
                                               ? replace(label(c.lang, "too_large"), "{max}",
                                                         size_text(settings.max_copy_bytes, c.lang))
                                               : "HTTP " + std::to_string(code);
               send_error(res, c,
                          code == 404 ? absl::NotFoundError("no page " + req.path)
                                      : absl::InvalidArgumentError(refused));
               res.status = code;
             },
             false)](const httplib::Request& req, httplib::Response& res) {
          if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
          page(req, res);
          return httplib::Server::HandlerResponse::Handled;
        }));
    for (const auto& [name, type] : {std::pair{"console.css", "text/css; charset=utf-8"},
                                     {"console.js", "text/javascript; charset=utf-8"}}) {
      s.Get(std::string("/static/") + name,
            [this, name = std::string(name), type = std::string(type)](const httplib::Request&,
                                                                       httplib::Response& res) {
              secure_headers(res, false);
              res.set_content(assets.at(name), type.c_str());
            });
    }
  }
};

WebConsole::WebConsole(const app::Clock& clock, const api::CertificateTrust& trust, UseCases uc,
                       Settings settings)
    : impl_(std::make_unique<Impl>(clock, trust, uc, std::move(settings))) {}

WebConsole::~WebConsole() { stop(); }

absl::StatusOr<int> WebConsole::start() {
  Impl& w = *impl_;
  for (const char* name :
       {"layout.mustache", "dashboard.mustache", "record.mustache", "obligation.mustache",
        "incident_form.mustache", "request_form.mustache", "compliance.mustache",
        "register.mustache", "error.mustache", "notification.mustache", "matter_form.mustache",
        "console.css", "console.js"}) {
    absl::StatusOr<std::string> file = config::read_file(w.settings.assets_dir + "/" + name);
    if (!file.ok()) {
      return absl::InvalidArgumentError("web console: " + std::string(file.status().message()));
    }
    std::string text = *std::move(file);
    if (std::string(name).ends_with(".mustache")) {
      mu::mustache check(text);
      if (!check.is_valid()) {
        return absl::InvalidArgumentError("web console: " + std::string(name) + ": " +
                                          check.error_message());
      }
    }
    w.assets[name] = std::move(text);
  }
  auto tokens = FormTokens::load(w.settings.form_key_file);
  if (!tokens.ok()) return tokens.status();
  w.form_tokens = std::move(*tokens);
  if (auto s = w.identity.load(w.settings.tls); !s.ok()) return s;
  w.server = std::make_unique<ConsoleServer>([&w](SSL_CTX& ctx) {
    SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION);
    // The same CA as gRPC verifies the chain (ServerIdentity); revocation and the principal are
    // decided per request by CertificateTrust.
    SSL_CTX_set_verify(&ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
    // Browsers resume TLS sessions on new connections; with client certificates OpenSSL resumes
    // only sessions of a named context, and refuses the handshake (internal error) otherwise.
    static constexpr unsigned char kSessionContext[] = "termijn-web";
    SSL_CTX_set_session_id_context(&ctx, kSessionContext, sizeof kSessionContext - 1);
    // Each handshake presents the certificate, and verifies the client's against the CAs,
    // loaded last (ServerIdentity::load: here at start, and on SIGHUP); the context itself holds
    // none of them.
    w.identity.install(&ctx);
    w.handshakes.install(&ctx);
    w.heads.install(&ctx);
    return true;
  });
  if (!w.server->is_valid()) {
    return absl::InvalidArgumentError("web console: cannot make its TLS context");
  }
  w.server->new_task_queue = [&w] { return new ConnectionQueue(w.handshakes); };
  // Room for the largest copy of a request and the rest of the form; the handler bounds the
  // copy itself.
  w.server->set_payload_max_length(static_cast<size_t>(w.settings.max_copy_bytes) + (1 << 20));
  w.routes();
  const std::string& listen = w.settings.listen;
  const size_t colon = listen.rfind(':');
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  int port = 0;
  try {
    port = std::stoi(listen.substr(colon + 1));
  } catch (const std::exception&) {
    return absl::InvalidArgumentError("web.listen: not HOST:PORT: " + listen);
  }
  if (port == 0) {
    port = w.server->bind_to_any_port(host);
  } else if (!w.server->bind_to_port(host, port)) {
    port = -1;
  }
  if (port <= 0 || !w.server->lengthen_backlog()) {
    return absl::UnavailableError("web console: cannot listen on " + listen);
  }
  listening_.start(*w.server);
  return port;
}

absl::Status WebConsole::reload_certificate() { return impl_->identity.load(impl_->settings.tls); }

void WebConsole::stop() { listening_.stop(); }

}  // namespace termijn::web
