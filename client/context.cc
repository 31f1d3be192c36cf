#include "client/context.h"

#include <absl/status/status.h>
#include <google/protobuf/util/json_util.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <chrono>
#include <ctime>
#include <iostream>
#include <thread>

#include "client/table.h"
#include "proto/channel_keepalive.h"
#include "proto/enum_names.h"
#include "server/app/pem.h"
#include "server/config/files.h"
#include "server/domain/rules.h"
#include "server/domain/time.h"

namespace termijn::cli {

std::string read_file(const std::string& path, const std::string& flag) {
  absl::StatusOr<std::string> text = config::read_file(path);
  if (!text.ok()) throw CliError(2, flag + ": " + std::string(text.status().message()));
  return *std::move(text);
}

namespace {

// A PEM file for `flag`, and what OpenSSL parses from it: what gRPC will need, checked here so
// that a wrong file is bad input naming the option, not an "unavailable" server.
struct Pem {
  std::string text;
  std::unique_ptr<X509, decltype(&X509_free)> certificate{nullptr, X509_free};  // the first
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{nullptr, EVP_PKEY_free};
};

Pem read_pem(const std::string& path, const std::string& flag, bool private_key) {
  // Whoever reads the key acts as its principal (as ssh, and as termijnd with its own secrets):
  // one its group or others may read is refused.
  Pem pem;
  if (private_key) {
    absl::StatusOr<std::string> text = config::read_private_file(path);
    if (!text.ok()) throw CliError(2, flag + ": " + std::string(text.status().message()));
    pem.text = *std::move(text);
  } else {
    pem.text = read_file(path, flag);
  }
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.text.data(), static_cast<int>(pem.text.size())), BIO_free);
  if (private_key) {
    pem.key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, app::no_passphrase, nullptr));
  } else {
    pem.certificate.reset(PEM_read_bio_X509(bio.get(), nullptr, app::no_passphrase, nullptr));
  }
  if (!pem.key && !pem.certificate) {
    throw CliError(2, flag + ": " + path + " holds no PEM " +
                          (private_key ? "unencrypted private key" : "certificate"));
  }
  return pem;
}

// "2030-01-01 00:00 UTC".
std::string utc_text(const ASN1_TIME* t) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return "an unreadable time";
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &tm);
  return text;
}

// The server refuses the handshake for a certificate outside its validity or a key that is not
// the certificate's, which gRPC reports as an unavailable server: each is bad input naming the
// option instead.
void check_identity(const X509* cert, const std::string& cert_path, const EVP_PKEY* key,
                    const std::string& key_path) {
  if (X509_check_private_key(cert, key) != 1) {
    ERR_clear_error();
    throw CliError(2, "--key: " + key_path + " is not the key of the certificate in " + cert_path);
  }
  if (X509_cmp_current_time(X509_get0_notAfter(cert)) < 0) {
    throw CliError(2, "--cert: " + cert_path + " expired at " + utc_text(X509_get0_notAfter(cert)));
  }
  if (X509_cmp_current_time(X509_get0_notBefore(cert)) > 0) {
    throw CliError(
        2, "--cert: " + cert_path + " is valid from " + utc_text(X509_get0_notBefore(cert)));
  }
}

}  // namespace

v1::Termijn::Stub& Context::stub() {
  if (stub_) return *stub_;
  std::shared_ptr<grpc::ChannelCredentials> creds;
  if (insecure_plaintext) {
    creds = grpc::InsecureChannelCredentials();
  } else {
    // Over TLS the certificate names the principal: --as would be ignored, and the call made for
    // another principal than the one the user named.
    if (!principal.empty()) {
      throw CliError(2,
                     "--as (or TERMIJN_PRINCIPAL) is for the plaintext local mode only "
                     "(--insecure-plaintext); over TLS, the certificate in --cert names the "
                     "principal");
    }
    if (ca.empty() || cert.empty() || key.empty()) {
      throw CliError(2,
                     "--ca, --cert and --key are required (or TERMIJN_CA, TERMIJN_CERT, "
                     "TERMIJN_KEY); see the README for the demo principals");
    }
    grpc::SslCredentialsOptions ssl;
    const Pem roots = read_pem(ca, "--ca", false);
    const Pem chain = read_pem(cert, "--cert", false);
    const Pem private_key = read_pem(key, "--key", true);
    check_identity(chain.certificate.get(), cert, private_key.key.get(), key);
    ssl.pem_root_certs = roots.text;
    ssl.pem_cert_chain = chain.text;
    ssl.pem_private_key = private_key.text;
    creds = grpc::SslCredentials(ssl);
  }
  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(64 << 20);
  args.SetMaxReceiveMessageSize(64 << 20);
  set_keepalive(args, 60);  // `events watch` may wait for hours
  stub_ = v1::Termijn::NewStub(grpc::CreateCustomChannel(server, creds, args));
  return *stub_;
}

grpc::Status Context::create_with_retries(
    const std::function<grpc::Status(grpc::ClientContext*)>& call) const {
  constexpr int kAttempts = 4;
  std::chrono::milliseconds backoff(250);
  for (int attempt = 1;; ++attempt) {
    const grpc::Status status = call(call_context().get());
    const bool retry = status.error_code() == grpc::StatusCode::UNAVAILABLE ||
                       status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
    if (!retry || attempt == kAttempts) return status;
    std::this_thread::sleep_for(backoff);
    backoff *= 2;
  }
}

std::string new_request_id() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    throw CliError(1, "cannot make a request_id: OpenSSL's random generator failed");
  }
  bytes[6] = (bytes[6] & 0x0f) | 0x40;  // RFC 9562: version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80;  // variant 10
  static constexpr char kHex[] = "0123456789abcdef";
  std::string uuid;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) uuid += '-';
    uuid += kHex[bytes[i] >> 4];
    uuid += kHex[bytes[i] & 0x0f];
  }
  return uuid;
}

std::unique_ptr<grpc::ClientContext> Context::call_context() const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  if (insecure_plaintext && !principal.empty()) {
    context->AddMetadata("x-termijn-principal", principal);
  }
  return context;
}

int exit_code_for(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return 0;
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::OUT_OF_RANGE:
      return 2;
    case grpc::StatusCode::NOT_FOUND:
      return 3;
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return 4;
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::ALREADY_EXISTS:
      return 5;
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::ABORTED:             // a record busy with a concurrent change
    case grpc::StatusCode::RESOURCE_EXHAUSTED:  // the server is overloaded
      return 6;
    default:
      return 1;
  }
}

bool server_certificate_refused(const grpc::Status& status) {
  return status.error_code() == grpc::StatusCode::UNAVAILABLE &&
         status.error_message().find("certificate verify failed") != std::string::npos;
}

std::string unavailable(const grpc::Status& status) {
  std::string message = "server unavailable: " + status.error_message();
  // A failed handshake, either way, makes the server unavailable to gRPC: say which way.
  if (server_certificate_refused(status)) {
    message +=
        " (the server's certificate did not verify against --ca: not issued by a CA in it, "
        "expired, or for another name)";
  } else if (message.find("Socket closed") != std::string::npos) {
    message +=
        " (if the server is up, the server may have refused the certificate in --cert: is it "
        "issued by a CA the server trusts?)";
  }
  return message;
}

void check(const grpc::Status& status) {
  if (status.ok()) return;
  std::string message = status.error_message();
  // gRPC's own refusals (a method the server does not serve, a request it cannot read) may come
  // without a message.
  if (message.empty()) {
    message = "the server answered " +
              absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())) +
              " without a message";
  }
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) message = unavailable(status);
  if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED &&
      message.find("larger than max") != std::string::npos) {
    // gRPC's own limit on a message: the request is too large, not the server overloaded.
    throw CliError(2, "the request is larger than the server accepts (" + message +
                          "): a --copy file counts whole");
  }
  throw CliError(exit_code_for(status.error_code()), message);
}

void print_json(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  if (!google::protobuf::util::MessageToJsonString(message, &out, options).ok()) {
    throw CliError(1, "cannot print the response as JSON");
  }
  std::cout << out;
}

std::string local_time(const google::protobuf::Timestamp& t, const std::string& zone) {
  const domain::Instant instant{std::chrono::seconds{t.seconds()}};
  // A zone this machine's tz database lacks is shown in UTC rather than failing the command.
  const domain::TimeZone* tz = domain::TimeZone::find(zone);
  if (tz == nullptr) tz = domain::TimeZone::find("UTC");
  return tz->format(instant, "%a %Y-%m-%d %H:%M %Z");
}

std::string countdown(const google::protobuf::Timestamp& due) {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch());
  const int64_t delta = due.seconds() - now.count();
  const int64_t minutes = std::abs(delta) / 60;
  const int64_t d = minutes / (24 * 60), h = (minutes / 60) % 24, m = minutes % 60;
  std::string span;
  if (minutes >= 72 * 60) {
    span = std::to_string(d) + " d " + std::to_string(h) + " h";
  } else if (minutes >= 60) {
    span = std::to_string(minutes / 60) + " h " + std::to_string(m) + " min";
  } else {
    span = std::to_string(m) + " min";
  }
  return delta >= 0 ? "in " + span : span + " overdue";
}

std::vector<CLI::Option*> add_page_options(CLI::App& command, Page& page) {
  return {command.add_option("--limit", page.limit, "page size, 1 to 500")
              ->capture_default_str()
              ->check(CLI::Range(1, 500)),
          command.add_option("--page-token", page.token, "continue a previous listing")};
}

namespace {

// `word` as a shell reads it back: as it is when it holds nothing the shell treats specially,
// else in single quotes.
std::string shell_word(const std::string& word) {
  constexpr char kPlain[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_./:,=+@%";
  if (!word.empty() && word.find_first_not_of(kPlain) == std::string::npos) return word;
  std::string quoted = "'";
  for (const char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace

void print_more(const CLI::App& command, const std::string& next_page_token) {
  if (next_page_token.empty()) return;
  std::string path;
  for (const CLI::App* at = &command; at->get_parent() != nullptr; at = at->get_parent()) {
    path = " " + at->get_name() + path;
  }
  std::string options;
  for (const CLI::Option* option : command.get_options()) {
    if (option->count() == 0 || option->get_name() == "--page-token") continue;
    if (option->get_expected_min() == 0) {  // a flag
      options += " " + option->get_name();
      continue;
    }
    for (const std::string& value : option->results()) {
      options += " " + option->get_name() + " " + shell_word(value);
    }
  }
  std::cout << "more: termijn" << path << options << " --page-token " << next_page_token << "\n";
}

namespace {

// An obligation's legal limit, or that its due time is a policy target.
std::string legal_limit(const v1::Obligation& o) {
  if (domain::sets_no_limit(o.rule())) return "none fixed (policy target)";
  return local_time(o.legal_due_time(), o.time_zone());
}

}  // namespace

void print_obligations(const google::protobuf::RepeatedPtrField<v1::Obligation>& obligations,
                       bool explain) {
  if (obligations.empty()) {
    std::cout << "no obligations\n";
    return;
  }
  Table table({"ID", "RULE", "OWNER -> TO", "SUBJECT", "DUE", "COUNTDOWN", "LEGAL LIMIT", "STATE",
               "NOTICE", "NEXT REMINDER (LEVEL)"});
  for (const v1::Obligation& o : obligations) {
    const std::string to = recipient_of(o);
    const bool open =
        o.state() == v1::OBLIGATION_STATE_OPEN || o.state() == v1::OBLIGATION_STATE_UNSPECIFIED;
    const std::string next = o.has_next_step_time()
                                 ? o.next_step() + " " +
                                       local_time(o.next_step_time(), o.time_zone()) + " (" +
                                       std::to_string(o.escalation_level()) + ")"
                                 : "- (" + std::to_string(o.escalation_level()) + ")";
    table.add(
        {o.name().empty() ? "(preview)" : o.name(), o.rule(), o.owner_party() + " -> " + to,
         o.subject(), local_time(o.due_time(), o.time_zone()), open ? countdown(o.due_time()) : "-",
         legal_limit(o), open ? "open" : v1::spelling(o.state()),
         o.notice_state().empty() ? "-" : o.notice_state(), next},
        explain ? o.explanation() : "");
  }
  table.print(std::cout);
}

template <typename E>
std::vector<E> parse_list(const std::vector<std::string>& values, const std::string& flag) {
  std::vector<E> out;
  for (const std::string& value : values) {
    const auto parsed = v1::from_spelling<E>(value);
    if (!parsed) {
      throw CliError(
          2, flag + ": unknown value '" + value + "' (one of " + v1::all_spellings<E>() + ")");
    }
    out.push_back(*parsed);
  }
  return out;
}

template std::vector<v1::DataCategory> parse_list(const std::vector<std::string>&,
                                                  const std::string&);
template std::vector<v1::SubjectGroup> parse_list(const std::vector<std::string>&,
                                                  const std::string&);
template std::vector<v1::RequestKind> parse_list(const std::vector<std::string>&,
                                                 const std::string&);
template std::vector<v1::Risk> parse_list(const std::vector<std::string>&, const std::string&);
template std::vector<v1::MatterKind> parse_list(const std::vector<std::string>&,
                                                const std::string&);

}  // namespace termijn::cli
