#pragma once

#include <google/protobuf/message.h>
#include <grpcpp/grpcpp.h>

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>

#include "client/register_csv.h"
#include "termijn/v1/termijn.grpc.pb.h"

namespace termijn::cli {

/// Global options and the connection every command shares.
struct Context {
  std::string server = "127.0.0.1:50051";
  std::string output = "table";
  std::string ca, cert, key;
  std::string principal;  ///< plaintext mode only
  bool insecure_plaintext = false;

  /// The stub, connected on first use. Throws CliError when certificates cannot be read.
  v1::Termijn::Stub& stub();
  /// A context with the deadline and, in plaintext mode, the principal header.
  std::unique_ptr<grpc::ClientContext> call_context() const;
  bool json() const { return output == "json"; }
  /// Runs a create that carries a request_id (AIP-155), so that repeating it is safe: with a
  /// fresh context per attempt, up to 4 attempts while it fails UNAVAILABLE or
  /// DEADLINE_EXCEEDED, waiting 0.25 s, 0.5 s, 1 s in between.
  grpc::Status create_with_retries(
      const std::function<grpc::Status(grpc::ClientContext*)>& call) const;

 private:
  std::unique_ptr<v1::Termijn::Stub> stub_;
};

/// The type name of an option that names a file on this machine: its name is never sent, so it
/// need not be UTF-8 as every other value must (main.cc). Not `--copy`: its name is sent.
inline constexpr char kLocalFile[] = "FILE";

/// How a time option reads its value, for its help.
inline const std::string kTimeFormats =
    "RFC 3339 (2026-11-27T14:20:00+01:00), or a date and time without offset (2026-11-27T14:20) "
    "in the party's time zone";

/// A failure to report on stderr as one line, with the process exit code.
struct CliError : std::runtime_error {
  CliError(int code, const std::string& message) : std::runtime_error(message), exit_code(code) {}
  int exit_code;
};

/// A new random UUID (version 4) from OpenSSL's generator, for a create's request_id.
std::string new_request_id();

/// Exit codes by gRPC status: documented in the README.
int exit_code_for(grpc::StatusCode code);

/// Throws CliError for a failed status.
void check(const grpc::Status& status);

/// An UNAVAILABLE status as the CLI says it: "server unavailable: ...", with what a failed TLS
/// handshake likely means.
std::string unavailable(const grpc::Status& status);

/// Whether the call failed because the server's certificate is not issued by a CA in --ca: no
/// retry helps.
bool server_certificate_refused(const grpc::Status& status);

/// The contents of `path`, given with `flag`; CliError (exit 2) when it cannot be read.
std::string read_file(const std::string& path, const std::string& flag);

/// Prints `message` as proto3 JSON.
void print_json(const google::protobuf::Message& message);

/// "Mon 2026-11-30 14:20 CET" in `zone`.
std::string local_time(const google::protobuf::Timestamp& t, const std::string& zone);

/// "in 35 h 12 min", "3 h 5 min overdue", relative to now.
std::string countdown(const google::protobuf::Timestamp& due);

/// Which page of a listing to show, as --limit and --page-token give it.
struct Page {
  int limit = 50;
  std::string token;
};

/// Adds --limit and --page-token to the listing `command`, read into `page`; returns them.
std::vector<CLI::Option*> add_page_options(CLI::App& command, Page& page);

/// Ends a listing's table: when `next_page_token` is not empty, the line "more: termijn NOUN
/// [VERB] OPTION... --page-token TOKEN" that lists the next page, with the options given to
/// `command` (its filters) repeated.
void print_more(const CLI::App& command, const std::string& next_page_token);

/// Prints obligations as a table, soonest first.
void print_obligations(const google::protobuf::RepeatedPtrField<v1::Obligation>& obligations,
                       bool explain);

/// Parses a comma-separated list of enum spellings ("identification,medical") for `flag`.
template <typename E>
std::vector<E> parse_list(const std::vector<std::string>& values, const std::string& flag);

/// Prints the audit events of `subject` (and what belongs to it), oldest first.
void print_history(Context& ctx, const std::string& subject);

void add_party_commands(CLI::App& app, Context& ctx);
void add_audit_commands(CLI::App& app, Context& ctx);
void add_notification_commands(CLI::App& app, Context& ctx);
void add_incident_commands(CLI::App& app, Context& ctx);
void add_request_commands(CLI::App& app, Context& ctx);
void add_deadline_commands(CLI::App& app, Context& ctx);
void add_obligation_commands(CLI::App& app, Context& ctx);
void add_register_commands(CLI::App& app, Context& ctx);
void add_event_commands(CLI::App& app, Context& ctx);
void add_webhook_commands(CLI::App& app, Context& ctx);
void add_matter_commands(CLI::App& app, Context& ctx);

}  // namespace termijn::cli
