#include "server/notify/smtp_mailer.h"

#include <curl/curl.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <utility>
#include <vector>

#include "server/config/secure_url.h"
#include "server/notify/mime.h"

namespace termijn::notify {
namespace {

using Outcome = SendResult::Outcome;

using config::UrlParts;

// `url` as an error may show it: a user or password in it (which validate() refuses) masked,
// so that the refusal does not log the secret it refuses.
std::string shown(const std::string& url) {
  const size_t start = url.find("://");
  const size_t from = start == std::string::npos ? 0 : start + 3;
  const size_t end = std::min(url.find_first_of("/?#", from), url.size());
  const size_t at = url.rfind('@', end == 0 ? 0 : end - 1);
  if (at == std::string::npos || at < from) return url;
  return url.substr(0, from) + "***" + url.substr(at);
}

absl::StatusOr<UrlParts> parse_url(const std::string& url) {
  auto parts = config::split_url(url);
  if (!parts) {
    return absl::InvalidArgumentError("SMTP url '" + shown(url) +
                                      "' is not a URL like smtp://mail.example:587 or "
                                      "smtps://mail.example:465");
  }
  return std::move(*parts);
}

bool is_host_name(const std::string& name) {
  static const std::regex kHostName(
      R"(^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$)");
  return name.size() <= 253 && std::regex_match(name, kHostName);
}

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// What one transfer needs from its callbacks. Outlives the curl handle that points to it.
struct Transfer {
  std::string_view bytes;
  size_t sent = 0;
  std::vector<std::string> replies;  ///< server reply lines, oldest first

  static size_t read(char* buffer, size_t size, size_t count, void* self) {
    auto* t = static_cast<Transfer*>(self);
    const size_t n = std::min(size * count, t->bytes.size() - t->sent);
    std::memcpy(buffer, t->bytes.data() + t->sent, n);
    t->sent += n;
    return n;
  }

  // libcurl hands every SMTP reply line to the header callback.
  static size_t reply(char* data, size_t size, size_t count, void* self) {
    auto* t = static_cast<Transfer*>(self);
    std::string line(data, size * count);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (t->replies.size() == 32) t->replies.erase(t->replies.begin());
    t->replies.push_back(std::move(line));
    return size * count;
  }

  // The recipients refused in a transfer that went on (MAIL_RCPT_ALLOWFAILS), as the server's
  // reply lines ("550 5.1.1 <x>: no such mailbox"): RCPT's codes 45x and 55x. (Any other
  // command that failed would have ended the transfer.)
  std::string refusals() const {
    std::string refused;
    for (const std::string& line : replies) {
      if (line.size() < 3 || (line[0] != '4' && line[0] != '5') || line[1] != '5') continue;
      refused += (refused.empty() ? "" : "; ") + line;
    }
    return refused;
  }

  // The last reply line carrying `code`, the final line of the reply that decided the outcome.
  std::string last_reply(long code) const {
    const std::string prefix = std::to_string(code);
    for (auto it = replies.rbegin(); it != replies.rend(); ++it) {
      if (it->rfind(prefix, 0) == 0) return *it;
    }
    return code > 0 ? prefix : "";
  }
};

// Local mistakes that another attempt cannot fix; everything else at the connection level is
// worth another try (refused, reset, timed out, DNS, TLS handshake or certificate).
bool is_permanent(CURLcode rc) {
  switch (rc) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_LOGIN_DENIED:
    case CURLE_FILESIZE_EXCEEDED:
      return true;
    default:
      return false;
  }
}

}  // namespace

absl::Status validate(const SmtpSettings& s) {
  absl::StatusOr<UrlParts> url = parse_url(s.url);
  if (!url.ok()) return url.status();
  if (url->scheme != "smtp" && url->scheme != "smtps") {
    return absl::InvalidArgumentError("SMTP url '" + shown(s.url) +
                                      "' must start with smtp:// (STARTTLS) or smtps:// (TLS)");
  }
  if (url->host.empty()) {
    return absl::InvalidArgumentError("SMTP url '" + shown(s.url) + "' has no host");
  }
  if (url->has_credentials) {
    return absl::InvalidArgumentError(
        "SMTP url must not contain a user or password; set them separately (TERMIJN_SMTP_USER, "
        "TERMIJN_SMTP_PASSWORD) so they never appear in logs");
  }
  if (!s.require_starttls && !config::is_loopback(url->host)) {
    return absl::InvalidArgumentError(
        "SMTP: require_starttls = false is allowed only for a loopback host (localhost, 127.0.0.1, "
        "::1), not for '" +
        url->host + "': mail to other hosts must use TLS (protocol art. 7.1.B)");
  }
  if (s.user.empty() && !s.password.empty()) {
    return absl::InvalidArgumentError("SMTP: a password is set but no user");
  }
  if (s.connect_timeout_seconds <= 0 || s.timeout_seconds <= 0) {
    return absl::InvalidArgumentError("SMTP: timeouts must be positive numbers of seconds");
  }
  if (!s.ca_file.empty() && ::access(s.ca_file.c_str(), R_OK) != 0) {
    return absl::InvalidArgumentError("SMTP: cannot read ca_file '" + s.ca_file + "'");
  }
  const bool has_path = !url->path.empty() && url->path != "/";
  if (!s.helo_domain.empty()) {
    if (!is_host_name(s.helo_domain)) {
      return absl::InvalidArgumentError("SMTP: helo_domain '" + s.helo_domain +
                                        "' is not a host name");
    }
    if (has_path) {
      return absl::InvalidArgumentError(
          "SMTP: give the EHLO domain either as helo_domain or as "
          "the path of the url, not both");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<SmtpMailer>> SmtpMailer::create(SmtpSettings settings) {
  init_curl_once();
  if (absl::Status status = validate(settings); !status.ok()) return status;
  std::string effective_url = settings.url;
  if (!settings.helo_domain.empty()) {
    // libcurl sends the URL's path as the EHLO domain.
    std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> handle(curl_url(), curl_url_cleanup);
    char* out = nullptr;
    if (!handle ||
        curl_url_set(handle.get(), CURLUPART_URL, settings.url.c_str(), CURLU_NON_SUPPORT_SCHEME) !=
            CURLUE_OK ||
        curl_url_set(handle.get(), CURLUPART_PATH, ("/" + settings.helo_domain).c_str(), 0) !=
            CURLUE_OK ||
        curl_url_get(handle.get(), CURLUPART_URL, &out, 0) != CURLUE_OK) {
      return absl::InvalidArgumentError("SMTP url '" + shown(settings.url) +
                                        "' cannot take a path");
    }
    effective_url = out;
    curl_free(out);
  }
  return std::unique_ptr<SmtpMailer>(new SmtpMailer(std::move(settings), std::move(effective_url)));
}

namespace {

// curl's progress callback: non-zero aborts the transfer.
int abort_when_stopped(void* stopped, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(stopped)->load() ? 1 : 0;
}

// How long the kept connections' QUITs wait for the server's answers when the mailer goes.
constexpr std::chrono::seconds kQuitWait{2};

// Headers of a kept connection's QUIT, after the message's Transfer is gone.
size_t discard(char*, size_t size, size_t count, void*) { return size * count; }

// A connection that broke or never answered: what a kept connection the server dropped meanwhile
// looks like, as opposed to a reply or a local mistake.
bool is_connection_error(CURLcode rc) {
  switch (rc) {
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_WEIRD_SERVER_REPLY:
      return true;
    default:
      return false;
  }
}

}  // namespace

struct SmtpMailer::Connection {
  CURL* curl = curl_easy_init();
  ~Connection() {
    // Says QUIT on an open connection and awaits the reply (see ~SmtpMailer).
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

// Back to the idle list once the server answered: the next send() on any thread reuses it.
struct SmtpMailer::Put {
  SmtpMailer* mailer = nullptr;
  void operator()(Connection* c) const {
    if (c == nullptr) return;
    if (c->curl != nullptr) {
      // The options pointed into this message's buffers; the connection itself stays open.
      curl_easy_reset(c->curl);
      curl_easy_setopt(c->curl, CURLOPT_NOSIGNAL, 1L);
      curl_easy_setopt(c->curl, CURLOPT_HEADERFUNCTION, &discard);
    }
    std::lock_guard lock(mailer->mutex_);
    mailer->idle_.push_back(c);
  }
};

SmtpMailer::SmtpMailer(SmtpSettings settings, std::string effective_url)
    : settings_(std::move(settings)),
      effective_url_(std::move(effective_url)),
      loopback_(config::is_loopback_url(effective_url_)) {}

SmtpMailer::~SmtpMailer() {
  // Every kept connection says QUIT at once. curl awaits the answer for as long as a message's
  // reply (timeout_seconds): one the server has not answered within kQuitWait is cut off, so that
  // a server that does not answer holds up termijnd's stop for kQuitWait, once.
  struct Quit {
    int socket = -1;  // a duplicate of the connection's: its number stays ours until closed
    std::future<void> done;
  };
  std::vector<Quit> quits;
  for (Connection* c : idle_) {
    Quit quit;
    curl_socket_t socket = CURL_SOCKET_BAD;
    if (c->curl != nullptr &&
        curl_easy_getinfo(c->curl, CURLINFO_ACTIVESOCKET, &socket) == CURLE_OK &&
        socket != CURL_SOCKET_BAD) {
      quit.socket = ::dup(socket);
    }
    quit.done = std::async(std::launch::async, [c] { delete c; });
    quits.push_back(std::move(quit));
  }
  const auto give_up = std::chrono::steady_clock::now() + kQuitWait;
  for (Quit& quit : quits) {
    if (quit.done.wait_until(give_up) != std::future_status::ready && quit.socket >= 0) {
      ::shutdown(quit.socket, SHUT_RDWR);  // curl sees the connection end and closes it
    }
    quit.done.wait();
    if (quit.socket >= 0) ::close(quit.socket);
  }
}

SmtpMailer::Handle SmtpMailer::take() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      Connection* c = idle_.back();
      idle_.pop_back();
      return Handle(c, Put{this});
    }
  }
  return Handle(new Connection, Put{this});
}

SendResult SmtpMailer::send(const MailMessage& m) {
  if (absl::Status status = check_message(m); !status.ok()) {
    return {Outcome::kPermanentFailure, std::string(status.message())};
  }
  if (stopped_) return {Outcome::kStopped, "not sent: termijnd is stopping"};
  const std::string bytes = render_message(m);
  Handle connection = take();
  if (connection->curl == nullptr) return {Outcome::kTemporaryFailure, "out of memory"};
  bool reused_silent = false;
  SendResult result = transfer(*connection, m, bytes, /*fresh=*/false, reused_silent);
  if (reused_silent && !stopped_) {
    spdlog::info("mail <{}>: the kept connection to {} was gone ({}); sending on a new one",
                 m.message_id, settings_.url, result.server_reply);
    result = transfer(*connection, m, bytes, /*fresh=*/true, reused_silent);
  }
  if (result.outcome == Outcome::kTemporaryFailure && stopped_) {
    // Cut off by stop() (curl reports the abort as an error): the server did not accept it.
    result = {Outcome::kStopped, "not sent: termijnd is stopping (" + result.server_reply + ")"};
  }
  if (result.accepted()) {
    spdlog::info("mail <{}> accepted by {}: {}", m.message_id, settings_.url, result.server_reply);
  } else if (result.outcome != Outcome::kStopped) {
    spdlog::warn("mail <{}> not sent via {} ({}): {}", m.message_id, settings_.url,
                 result.outcome == Outcome::kPermanentFailure ? "permanent" : "temporary",
                 result.server_reply);
  }
  return result;
}

SendResult SmtpMailer::transfer(Connection& connection, const MailMessage& m,
                                const std::string& bytes, bool fresh, bool& reused_silent) {
  reused_silent = false;
  // Outlive the transfer; the handle's options are reset before it is put back.
  Transfer transfer;
  transfer.bytes = bytes;
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> recipients(nullptr,
                                                                         curl_slist_free_all);
  for (const auto* list : {&m.to, &m.cc}) {
    for (const MailAddress& a : *list) {
      recipients.reset(curl_slist_append(recipients.release(), ("<" + a.email + ">").c_str()));
    }
  }
  if (!recipients) return {Outcome::kTemporaryFailure, "out of memory"};
  char error[CURL_ERROR_SIZE] = "";

  CURL* h = connection.curl;
  curl_easy_setopt(h, CURLOPT_URL, effective_url_.c_str());
  if (loopback_) curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // several threads send at once
  curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, fresh ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, settings_.connect_timeout_seconds);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, settings_.timeout_seconds);
  curl_easy_setopt(h, CURLOPT_SERVER_RESPONSE_TIMEOUT, settings_.timeout_seconds);
  curl_easy_setopt(h, CURLOPT_USE_SSL,
                   settings_.require_starttls ? static_cast<long>(CURLUSESSL_ALL)
                                              : static_cast<long>(CURLUSESSL_NONE));
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!settings_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, settings_.ca_file.c_str());
  if (!settings_.user.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, settings_.user.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, settings_.password.c_str());
  }
  const std::string mail_from = "<" + m.from.email + ">";
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients.get());
  // MAIL_RCPT_ALLOWFAILS, by the name libcurl 7.88 gives it (later ones keep it as an alias).
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT_ALLLOWFAILS, m.partial_delivery ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, &Transfer::read);
  curl_easy_setopt(h, CURLOPT_READDATA, &transfer);
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(bytes.size()));
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &Transfer::reply);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &transfer);
  // Polled about once a second while the transfer waits: a stop aborts it.
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &abort_when_stopped);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &stopped_);

  const CURLcode rc = curl_easy_perform(h);
  long code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
  long new_connections = 0;
  curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &new_connections);
  std::string detail = error[0] != '\0' ? error : curl_easy_strerror(rc);
  if (rc == CURLE_USE_SSL_FAILED) {
    detail = "the server does not offer STARTTLS and require_starttls is set: " + detail;
  }
  // The header callback must not outlive `transfer`, nor the read callback `bytes`.
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &discard);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, nullptr);
  curl_easy_setopt(h, CURLOPT_READDATA, nullptr);
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, nullptr);

  if (rc == CURLE_OK) {
    const std::string refused = m.partial_delivery ? transfer.refusals() : "";
    if (refused.empty()) return {Outcome::kAccepted, transfer.last_reply(code)};
    spdlog::warn("mail <{}>: {} refused some recipients, sent to the others: {}", m.message_id,
                 settings_.url, refused);
    return {Outcome::kAccepted, transfer.last_reply(code) + " (refused: " + refused + ")"};
  }
  if (code >= 400 && code < 600) {
    return {code >= 500 ? Outcome::kPermanentFailure : Outcome::kTemporaryFailure,
            transfer.last_reply(code) + " (" + detail + ")"};
  }
  reused_silent = new_connections == 0 && transfer.replies.empty() && is_connection_error(rc);
  return {is_permanent(rc) ? Outcome::kPermanentFailure : Outcome::kTemporaryFailure, detail};
}

}  // namespace termijn::notify
