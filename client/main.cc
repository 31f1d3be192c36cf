// termijn: the command-line client of termijnd.
#include <iostream>

#include "client/context.h"

int main(int argc, char** argv) {
  using termijn::cli::CliError;
  termijn::cli::Context ctx;
  CLI::App app{"termijn: track the deadlines of personal-data incidents and requests"};
  app.require_subcommand(1);
  app.add_option("--server", ctx.server, "termijnd address HOST:PORT")
      ->envname("TERMIJN_SERVER")
      ->capture_default_str();
  app.add_option("-o,--output", ctx.output, "table or json")
      ->check(CLI::IsMember({"table", "json"}))
      ->capture_default_str();
  app.add_option("--ca", ctx.ca, "CA certificate (PEM)")->envname("TERMIJN_CA");
  app.add_option("--cert", ctx.cert, "your client certificate (PEM)")->envname("TERMIJN_CERT");
  app.add_option("--key", ctx.key, "your private key (PEM)")->envname("TERMIJN_KEY");
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::cerr << "termijn: " << e.what() << "\n";
    return 2;
  } catch (const CliError& e) {
    std::cerr << "termijn: " << e.what() << "\n";
    return e.exit_code;
  } catch (const std::exception& e) {
    std::cerr << "termijn: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
