// termijn: the command-line client of termijnd.
#include <grpc/support/log.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include "client/context.h"
#include "server/app/limits.h"
#include "server/domain/utf8.h"

namespace {

void discard_grpc_log(gpr_log_func_args*) {}

// Errors are one line on stderr (DESIGN.md, CLI conventions). Messages may echo what the user
// typed, line breaks included, so control characters are printed escaped.
int report_failure(const std::string& message, int exit_code) {
  std::cerr << "termijn: " << termijn::app::escape_controls(message) << "\n";
  return exit_code;
}

// CLI11 says only "A subcommand is required" when a noun or verb is missing or misspelt: name
// the command, what was typed instead and what would do. Empty when `app` lacks no subcommand.
std::string missing_command_message(const CLI::App& app) {
  const CLI::App* at = &app;
  std::string command;
  while (!at->get_subcommands().empty()) {
    at = at->get_subcommands().front();
    command += (command.empty() ? "" : " ") + at->get_name();
  }
  if (at->get_require_subcommand_min() == 0) return "";
  std::string choices;
  for (const CLI::App* sub : at->get_subcommands([](const CLI::App*) { return true; })) {
    choices += (choices.empty() ? "" : ", ") + sub->get_name();
  }
  std::string message = command.empty() ? "" : command + ": ";
  for (const std::string& arg : app.remaining(true)) {
    if (arg.rfind('-', 0) != 0) {
      return message + "unknown command '" + arg + "', expected one of: " + choices;
    }
  }
  return message + "missing command, one of: " + choices;
}

// Throws for the first value given to `command`, or to a subcommand chosen under it, that is
// not valid UTF-8, naming its option and the byte where it breaks: protobuf sends such a string
// field unreadable (the server answered UNIMPLEMENTED, without a message).
void check_utf8(const CLI::App& command) {
  for (const CLI::Option* option : command.get_options()) {
    if (option->get_type_name() == termijn::cli::kLocalFile) continue;
    for (const std::string& value : option->results()) {
      if (const auto at = termijn::domain::invalid_utf8_at(value)) {
        throw CLI::ValidationError(option->get_name(),
                                   "not valid UTF-8 (at byte " + std::to_string(*at + 1) + ")");
      }
    }
  }
  for (const CLI::App* sub : command.get_subcommands()) check_utf8(*sub);
}

}  // namespace

int main(int argc, char** argv) {
  // gRPC logs a failed TLS handshake on stderr in several lines of its own; the status that
  // follows says the same in the one line the CLI prints. GRPC_VERBOSITY brings the log back.
  if (std::getenv("GRPC_VERBOSITY") == nullptr) gpr_set_log_function(discard_grpc_log);
  using termijn::cli::CliError;
  termijn::cli::Context ctx;
  CLI::App app{"termijn: track the deadlines of personal-data incidents and requests"};
  app.require_subcommand(1);
  // The global options below are defined once, on this app. Every subcommand inherits
  // fallthrough, so an option it does not know is handed up to here: globals may stand before the
  // noun, between noun and verb, or after the verb's own arguments, as with gh and kubectl.
  // Environment fallbacks and their precedence stay those of the one definition.
  app.fallthrough();
  app.footer(
      "Global options (--server, -o/--output, --ca, --cert, --key, --insecure-plaintext, --as) "
      "may stand anywhere on the command line; see termijn --help.\n");
  app.add_option("--server", ctx.server, "termijnd address HOST:PORT")
      ->envname("TERMIJN_SERVER")
      ->capture_default_str();
  app.add_option("-o,--output", ctx.output, "table or json (csv: termijn register only)")
      ->check(CLI::IsMember({"table", "json", "csv"}))
      ->capture_default_str();
  app.add_option("--ca", ctx.ca, "CA certificate (PEM)")
      ->envname("TERMIJN_CA")
      ->type_name(termijn::cli::kLocalFile);
  app.add_option("--cert", ctx.cert, "your client certificate (PEM)")
      ->envname("TERMIJN_CERT")
      ->type_name(termijn::cli::kLocalFile);
  app.add_option("--key", ctx.key, "your private key (PEM)")
      ->envname("TERMIJN_KEY")
      ->type_name(termijn::cli::kLocalFile);
  app.add_flag("--insecure-plaintext", ctx.insecure_plaintext,
               "connect without TLS (a server started with --insecure-plaintext)")
      ->envname("TERMIJN_INSECURE_PLAINTEXT");
  app.add_option("--as", ctx.principal, "principal to act as, plaintext mode only")
      ->envname("TERMIJN_PRINCIPAL");
  termijn::cli::add_party_commands(app, ctx);
  termijn::cli::add_incident_commands(app, ctx);
  termijn::cli::add_request_commands(app, ctx);
  termijn::cli::add_deadline_commands(app, ctx);
  termijn::cli::add_obligation_commands(app, ctx);
  termijn::cli::add_audit_commands(app, ctx);
  termijn::cli::add_notification_commands(app, ctx);
  termijn::cli::add_matter_commands(app, ctx);
  termijn::cli::add_register_commands(app, ctx);
  termijn::cli::add_event_commands(app, ctx);
  termijn::cli::add_webhook_commands(app, ctx);
  // Checked once every option is read, before any command runs.
  app.parse_complete_callback([&] {
    if (ctx.output == "csv" && !app.got_subcommand("register")) {
      throw CLI::ValidationError("--output", "csv is for termijn register only; use table or json");
    }
    check_utf8(app);
  });
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    const std::string missing_command =
        dynamic_cast<const CLI::RequiredError*>(&e) ? missing_command_message(app) : "";
    return report_failure(missing_command.empty() ? e.what() : missing_command, 2);
  } catch (const CliError& e) {
    return report_failure(e.what(), e.exit_code);
  } catch (const std::exception& e) {
    return report_failure(e.what(), 1);
  }
  // An export or register cut short by a full disk must not look complete.
  if (!std::cout.flush()) return report_failure("cannot write the output (is the disk full?)", 1);
  return 0;
}
