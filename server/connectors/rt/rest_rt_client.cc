#include <curl/curl.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <memory>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/config/secure_url.h"
#include "server/connectors/rt/rt_client.h"

namespace termijn::rt {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

// No answer of RT's REST API the connector reads comes near this (a page of 100 history
// entries without their content, a ticket): a larger one is refused, not kept.
constexpr size_t kMaxAnswerBytes = 8 << 20;

size_t append_body(char* data, size_t size, size_t count, void* out) {
  auto* body = static_cast<std::string*>(out);
  if (body->size() + size * count > kMaxAnswerBytes) return 0;  // curl ends the transfer
  body->append(data, size * count);
  return size * count;
}

std::string escape(const std::string& s) {
  std::unique_ptr<char, decltype(&curl_free)> escaped(
      curl_easy_escape(nullptr, s.data(), static_cast<int>(s.size())), curl_free);
  return escaped ? std::string(escaped.get()) : std::string();
}

absl::StatusOr<Struct> parse_object(const std::string& json, const std::string& what) {
  Struct object;
  const auto status = google::protobuf::util::JsonStringToMessage(json, &object);
  if (!status.ok()) {
    return absl::InternalError(
        absl::StrCat("RT answered ", what, " with no JSON object: ", json.substr(0, 200)));
  }
  return object;
}

std::string to_json(const Struct& object) {
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(object, &json);
  return json;
}

void set_string(Struct& object, const std::string& key, const std::string& value) {
  (*object.mutable_fields())[key].set_string_value(value);
}

// RT gives ids as strings in some places and as numbers in others.
int64_t id_of(const Value& v) {
  if (v.has_number_value()) {
    // An id no ticket has (negative, fractional, beyond any integer) is none.
    const double d = v.number_value();
    return d >= 1 && d <= 9.0e15 && d == static_cast<double>(static_cast<int64_t>(d))
               ? static_cast<int64_t>(d)
               : 0;
  }
  if (v.has_string_value()) return std::atoll(v.string_value().c_str());
  return 0;
}

const Value* field(const Struct& object, const std::string& key) {
  const auto it = object.fields().find(key);
  return it == object.fields().end() ? nullptr : &it->second;
}

// TicketSQL string literal.
std::string sql_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

}  // namespace

std::string rt_time(absl::Time t) {
  // RT's own database form, in UTC. An RFC 3339 "...T...Z" is stored verbatim by an update
  // (RT 5.0.3 on SQLite), and RT then reads that ticket's Due back as unset.
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", t, absl::UTCTimeZone());
}

RestRtClient::RestRtClient(RestRtSettings settings) : settings_(std::move(settings)) {
  while (absl::EndsWith(settings_.base_url, "/")) settings_.base_url.pop_back();
  loopback_ = config::is_loopback_url(settings_.base_url);
}

absl::StatusOr<RestRtClient::Response> RestRtClient::call(const std::string& method,
                                                          const std::string& path,
                                                          const std::string& body) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(nullptr, curl_slist_free_all);
  for (const std::string& h :
       {"Authorization: token " + settings_.token, std::string("Accept: application/json"),
        std::string("Content-Type: application/json; charset=utf-8")}) {
    headers.reset(curl_slist_append(headers.release(), h.c_str()));
  }
  if (!curl || !headers) return absl::ResourceExhaustedError("out of memory");
  const std::string url = settings_.base_url + "/REST/2.0/" + path;
  Response response;
  char error[CURL_ERROR_SIZE] = "";
  CURL* h = curl.get();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  if (loopback_) curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, settings_.timeout_seconds);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!settings_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, settings_.ca_file.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method != "GET") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &append_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &response.body);
  const CURLcode rc = curl_easy_perform(h);
  if (rc == CURLE_WRITE_ERROR) {
    return absl::FailedPreconditionError(absl::StrCat("RT at ", settings_.base_url, " answered ",
                                                      method, " ", path, " with more than ",
                                                      kMaxAnswerBytes >> 20, " MiB"));
  }
  if (rc != CURLE_OK) {
    return absl::UnavailableError(absl::StrCat("RT at ", settings_.base_url, ": ",
                                               error[0] != '\0' ? error : curl_easy_strerror(rc)));
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.code);
  return response;
}

absl::Status RestRtClient::status_of(const std::string& method, const std::string& path,
                                     const Response& response) {
  if (response.code >= 200 && response.code < 300) return absl::OkStatus();
  const std::string what = absl::StrCat("RT answered ", method, " ", path, " with HTTP ",
                                        response.code, ": ", response.body.substr(0, 300));
  if (response.code >= 500 || response.code == 429) return absl::UnavailableError(what);
  if (response.code == 401 || response.code == 403) return absl::PermissionDeniedError(what);
  if (response.code == 404) return absl::NotFoundError(what);
  return absl::FailedPreconditionError(what);
}

absl::StatusOr<std::string> RestRtClient::call_ok(const std::string& method,
                                                  const std::string& path,
                                                  const std::string& body) {
  auto response = call(method, path, body);
  if (!response.ok()) return response.status();
  if (auto s = status_of(method, path, *response); !s.ok()) return s;
  return std::move(response->body);
}

absl::Status RestRtClient::check_queue() {
  auto body = call_ok("GET", "queue/" + escape(settings_.queue), "");
  if (absl::IsNotFound(body.status()) || absl::IsPermissionDenied(body.status())) {
    return absl::FailedPreconditionError(
        absl::StrCat("RT has no queue \"", settings_.queue,
                     "\" that the connector's user may see: ", body.status().message()));
  }
  if (!body.ok()) return body.status();
  auto queue = parse_object(*body, "a queue");
  if (!queue.ok()) return queue.status();
  if (const Value* fields = field(*queue, "TicketCustomFields")) {
    for (const Value& f : fields->list_value().values()) {
      const Value* name = field(f.struct_value(), "name");
      if (name != nullptr && name->string_value() == settings_.record_field) {
        return absl::OkStatus();
      }
    }
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "RT queue \"", settings_.queue, "\" has no ticket custom field \"", settings_.record_field,
      "\" that the connector's user may see and set (see the README)"));
}

absl::StatusOr<int64_t> RestRtClient::first_ticket(const std::string& query) {
  auto body = call_ok("GET", "tickets?order=ASC&orderby=id&query=" + escape(query), "");
  if (!body.ok()) return body.status();
  auto found = parse_object(*body, "a ticket search");
  if (!found.ok()) return found.status();
  const Value* items = field(*found, "items");
  if (items == nullptr || items->list_value().values_size() == 0) return 0;
  const Value* id = field(items->list_value().values(0).struct_value(), "id");
  return id == nullptr ? 0 : id_of(*id);
}

absl::StatusOr<int64_t> RestRtClient::find_ticket(const std::string& record) {
  return first_ticket(absl::StrCat("'CF.{", settings_.record_field, "}' = ", sql_quote(record)));
}

absl::StatusOr<bool> RestRtClient::may_link(int64_t id, const std::string& record) {
  // A search sees only the tickets the connector's user may see (a helpdesk ticket it may not
  // see is none it can use).
  const std::string cf = absl::StrCat("'CF.{", settings_.record_field, "}'");
  auto found = first_ticket(
      absl::StrCat("id = ", id, " AND (", cf, " IS NULL OR ", cf, " = ", sql_quote(record), ")"));
  if (!found.ok()) return found.status();
  return *found == id;
}

absl::StatusOr<int64_t> RestRtClient::create_ticket(const NewTicket& ticket) {
  Struct request;
  set_string(request, "Queue", settings_.queue);
  set_string(request, "Subject", ticket.subject);
  set_string(request, "Content", ticket.text);
  set_string(request, "ContentType", "text/plain");
  if (ticket.due) set_string(request, "Due", rt_time(*ticket.due));
  Struct fields;
  set_string(fields, settings_.record_field, ticket.record);
  *(*request.mutable_fields())["CustomFields"].mutable_struct_value() = fields;
  auto body = call_ok("POST", "ticket", to_json(request));
  if (!body.ok()) return body.status();
  auto created = parse_object(*body, "a new ticket");
  if (!created.ok()) return created.status();
  const Value* id = field(*created, "id");
  if (id == nullptr || id_of(*id) <= 0) {
    return absl::InternalError("RT created a ticket but gave no id: " + body->substr(0, 200));
  }
  return id_of(*id);
}

absl::Status RestRtClient::set_record(int64_t id, const std::string& record) {
  Struct request, fields;
  set_string(fields, settings_.record_field, record);
  *(*request.mutable_fields())["CustomFields"].mutable_struct_value() = fields;
  return call_ok("PUT", absl::StrCat("ticket/", id), to_json(request)).status();
}

absl::Status RestRtClient::update(int64_t id, const Struct& change, const std::string& what,
                                  const std::function<bool(const Struct&)>& took) {
  const std::string path = absl::StrCat("ticket/", id);
  auto said = call_ok("PUT", path, to_json(change));
  if (!said.ok()) return said.status();
  auto body = call_ok("GET", path, "");
  if (!body.ok()) return body.status();
  auto ticket = parse_object(*body, "a ticket");
  if (!ticket.ok()) return ticket.status();
  if (took(*ticket)) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("RT did not ", what, " ticket ", id, ": ", said->substr(0, 300)));
}

absl::Status RestRtClient::set_due(int64_t id, std::optional<absl::Time> due) {
  Struct request;
  set_string(request, "Due", due ? rt_time(*due) : "");  // empty: "Not set"
  // RT reads Due back in RFC 3339, an unset one as the epoch.
  const std::string expected =
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", due.value_or(absl::UnixEpoch()), absl::UTCTimeZone());
  return update(id, request, "set the Due of", [&](const Struct& ticket) {
    const Value* now = field(ticket, "Due");
    return now != nullptr && now->string_value() == expected;
  });
}

absl::Status RestRtClient::comment(int64_t id, const std::string& subject,
                                   const std::string& text) {
  Struct request;
  set_string(request, "Subject", subject);
  set_string(request, "Content", text);
  set_string(request, "ContentType", "text/plain");
  return call_ok("POST", absl::StrCat("ticket/", id, "/comment"), to_json(request)).status();
}

absl::StatusOr<bool> RestRtClient::has_comment(int64_t id, const std::string& subject_prefix) {
  constexpr int kPerPage = 100;
  // A ticket's history of more than 100 000 entries is none the connector made: an RT whose
  // every page is full would otherwise be read for ever.
  constexpr int kMaxPages = 1000;
  for (int page = 1;; ++page) {
    if (page > kMaxPages) {
      return absl::FailedPreconditionError(absl::StrCat(
          "RT ticket ", id, " has a history of more than ", kMaxPages * kPerPage, " entries"));
    }
    auto body = call_ok("GET",
                        absl::StrCat("ticket/", id, "/history?fields=Type,Data&per_page=", kPerPage,
                                     "&page=", page),
                        "");
    if (!body.ok()) return body.status();
    auto history = parse_object(*body, "a ticket history");
    if (!history.ok()) return history.status();
    const Value* items = field(*history, "items");
    if (items == nullptr) return false;
    for (const Value& item : items->list_value().values()) {
      const Value* type = field(item.struct_value(), "Type");
      const Value* data = field(item.struct_value(), "Data");
      if (type != nullptr && type->string_value() == "Comment" && data != nullptr &&
          absl::StartsWith(data->string_value(), subject_prefix)) {
        return true;
      }
    }
    if (items->list_value().values_size() < kPerPage) return false;
  }
}

absl::Status RestRtClient::resolve(int64_t id) {
  Struct request;
  set_string(request, "Status", "resolved");
  return update(id, request, "resolve", [](const Struct& ticket) {
    const Value* status = field(ticket, "Status");
    return status != nullptr && status->string_value() == "resolved";
  });
}

}  // namespace termijn::rt
