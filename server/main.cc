// termijnd: the one place that wires concrete types together.
#include <absl/synchronization/mutex.h>
#include <arpa/inet.h>
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <mutex>
#include <pqxx/connection>
#include <random>
#include <thread>

#include "proto/channel_keepalive.h"
#include "server/api/authenticator.h"
#include "server/api/convert.h"
#include "server/api/termijn_service.h"
#include "server/app/audit.h"
#include "server/app/clock.h"
#include "server/app/sha256.h"
#include "server/config/config.h"
#include "server/config/files.h"
#include "server/jobs/audit_checkpointer.h"
#include "server/jobs/audit_sequencer.h"
#include "server/jobs/escalation_scheduler.h"
#include "server/jobs/health_probe.h"
#include "server/jobs/notice_composer.h"
#include "server/jobs/outbox_dispatcher.h"
#include "server/jobs/shared_wait.h"
#include "server/jobs/tamper_alarm.h"
#include "server/jobs/webhook_dispatcher.h"
#include "server/notify/eml_mailer.h"
#include "server/notify/notice.h"
#include "server/notify/smtp_mailer.h"
#include "server/store/migrate.h"
#include "server/store/pg_audit_store.h"
#include "server/store/pg_probe.h"
#include "server/store/pg_store.h"
#include "server/store/pg_webhook_store.h"
#include "server/store/statements.h"
#include "server/web/web_console.h"

namespace {

using namespace termijn;

// Calls waiting for a thread beyond this are refused (RESOURCE_EXHAUSTED) instead of queued.
constexpr size_t kMaxQueuedCalls = 10000;
// ... and beyond this many bytes of requests waiting (a request with its copy holds up to
// max_copy_bytes): a flood of large requests cannot take the memory of the machine.
constexpr size_t kMaxQueuedBytes = size_t{256} << 20;
// How long calls in progress may take to finish after SIGTERM.
constexpr std::chrono::seconds kCallsGrace{3};

// Sleeps for `duration`, or less when `stop` is requested.
void sleep_unless_stopped(std::chrono::milliseconds duration, std::stop_token stop) {
  std::mutex mutex;
  std::condition_variable_any woken;
  std::unique_lock lock(mutex);
  woken.wait_for(lock, stop, duration, [] { return false; });
}

// How long a notification in flight is kept from other dispatchers: longer than any send (a
// send may open a second connection when the kept one turns out to be gone).
std::chrono::seconds mail_lease(const config::Mail& mail) {
  return std::chrono::seconds{2 * (mail.connect_timeout_seconds + mail.timeout_seconds) + 60};
}

struct Options {
  std::string config_file;
  std::string listen = "127.0.0.1:50051";
  std::string database_url;
  std::string migration_database_url;
  std::string tls_ca, tls_cert, tls_key, tls_crl;
  std::string port_file;
  std::string web_listen;
  std::string web_port_file;
  std::string web_form_key;
  std::string audit_signing_key;
  std::string mail_dir;
  bool insecure_plaintext = false;
};

// The port bound, for whoever started termijnd on port 0: all of it or nothing at the moment it
// appears. One that cannot be written stops termijnd, which could not be found otherwise.
void write_port_file(const std::string& path, const std::string& flag, int port) {
  if (path.empty()) return;
  if (absl::Status s = config::replace_file(path, std::to_string(port) + "\n"); !s.ok()) {
    throw std::runtime_error(flag + ": " + std::string(s.message()));
  }
}

// Only an address that parses as a loopback IP: a name ("localhost", "127.evil.example") could
// resolve anywhere.
bool is_loopback(const std::string& listen) {
  std::string host = listen.substr(0, listen.rfind(':'));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    in6_addr v6{};
    return inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &v6) == 1 &&
           IN6_IS_ADDR_LOOPBACK(&v6);
  }
  in_addr v4{};
  return inet_pton(AF_INET, host.c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127;
}

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

// SMTP when a URL is configured (TOML, or TERMIJN_SMTP_URL); otherwise .eml files.
std::unique_ptr<notify::Mailer> make_mailer(const config::Mail& mail, const Options& o) {
  notify::SmtpSettings smtp;
  smtp.url = env_or("TERMIJN_SMTP_URL", mail.smtp_url);
  if (smtp.url.empty()) {
    const std::string dir = o.mail_dir.empty() ? mail.eml_dir : o.mail_dir;
    if (dir.empty()) {
      throw std::runtime_error(
          "no mail delivery: set mail.smtp_url (or TERMIJN_SMTP_URL), or mail.eml_dir (or "
          "--mail-dir) for .eml files");
    }
    spdlog::info("mail is written as .eml files to {}", dir);
    return std::make_unique<notify::EmlDirectoryMailer>(dir);
  }
  smtp.user = env_or("TERMIJN_SMTP_USER", mail.smtp_user);
  smtp.password = env_or("TERMIJN_SMTP_PASSWORD", mail.smtp_password);
  smtp.require_starttls = mail.require_starttls;
  smtp.ca_file = mail.ca_file;
  smtp.helo_domain = mail.helo_domain;
  smtp.connect_timeout_seconds = mail.connect_timeout_seconds;
  smtp.timeout_seconds = mail.timeout_seconds;
  auto mailer = notify::SmtpMailer::create(smtp);
  if (!mailer.ok()) throw std::runtime_error("mail: " + std::string(mailer.status().message()));
  spdlog::info("mail goes to {}", (*mailer)->url());
  return std::move(*mailer);
}

notify::TemplateSet load_templates(const config::Mail& mail) {
  const std::string dir = mail.templates_dir.empty() ? TERMIJN_TEMPLATES_DIR : mail.templates_dir;
  auto templates = notify::TemplateSet::load(dir);
  if (!templates.ok())
    throw std::runtime_error("mail templates: " + std::string(templates.status().message()));
  for (const absl::Status& s :
       {notify::check_notice_templates(*templates), jobs::check_composer_templates(*templates)}) {
    if (!s.ok()) throw std::runtime_error("mail templates: " + std::string(s.message()));
  }
  return std::move(*templates);
}

// Command-line options win over [tls]; none in plaintext mode.
api::TrustFiles trust_files(const Options& o, const config::Config& c) {
  api::TrustFiles f;
  f.config_file = o.config_file;
  if (o.insecure_plaintext) return f;
  f.ca_file = o.tls_ca.empty() ? c.tls.ca_file : o.tls_ca;
  f.cert_file = o.tls_cert.empty() ? c.tls.cert_file : o.tls_cert;
  f.key_file = o.tls_key.empty() ? c.tls.key_file : o.tls_key;
  f.crl_file = o.tls_crl.empty() ? c.tls.crl_file : o.tls_crl;
  if (f.ca_file.empty() || f.cert_file.empty() || f.key_file.empty()) {
    throw std::runtime_error(
        "mutual TLS needs a CA, a server certificate and key ([tls] in the config, or --tls-ca, "
        "--tls-cert, --tls-key); --insecure-plaintext serves without them on loopback");
  }
  config::read_file_at_start(f.ca_file, "tls ca");
  if (auto s = api::check_server_identity(f); !s.ok()) {
    throw std::runtime_error("tls: " + std::string(s.message()));
  }
  return f;
}

// gRPC 1.51 cannot swap a server's certificate on demand; its file watcher re-reads the CA,
// certificate and key every kTlsRefreshSeconds and takes what it finds (it only retries while a
// file changes under it), so they must be replaced atomically. The handshake verifies the chain;
// revocation is checked per call (CertificateTrust), so that a refusal can say why.
constexpr unsigned kTlsRefreshSeconds = 10;

std::shared_ptr<grpc::ServerCredentials> credentials(const Options& o,
                                                     const api::TrustFiles& files) {
  if (o.insecure_plaintext) {
    spdlog::warn("serving PLAINTEXT without client certificates on {}: development only", o.listen);
    return grpc::InsecureServerCredentials();
  }
  grpc::experimental::TlsServerCredentialsOptions tls(
      std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
          files.key_file, files.cert_file, files.ca_file, kTlsRefreshSeconds));
  tls.watch_root_certs();
  tls.watch_identity_key_cert_pairs();
  tls.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  return grpc::experimental::TlsServerCredentials(tls);
}

// Every connection (gRPC's, the web console's, the database pool's) holds a file. At the usual
// soft limit of 1 024, a flood of idle connections to the console starved gRPC's accept and its
// re-reading of the certificate files; the hard limit is what the system allows this process.
void raise_open_file_limit() {
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur >= files.rlim_max) return;
  const rlim_t before = files.rlim_cur;
  files.rlim_cur = files.rlim_max;
  if (setrlimit(RLIMIT_NOFILE, &files) == 0) {
    spdlog::info("open files: at most {} (raised from {})", files.rlim_cur, before);
  }
}

int serve(const Options& o) {
  raise_open_file_limit();
  if (o.insecure_plaintext && !is_loopback(o.listen)) {
    throw std::runtime_error(
        "--insecure-plaintext is only allowed on a loopback address given as an IP "
        "(127.0.0.0/8 or [::1]), not " +
        o.listen);
  }
  const config::Config config = config::load_config(o.config_file);
  std::string url = o.database_url.empty() ? config.database.url : o.database_url;
  if (url.empty()) {
    throw std::runtime_error("no database: --database-url, TERMIJN_DATABASE_URL or database.url");
  }
  url = config::with_client_timeouts(config::with_tls(url, config.database));
  for (const std::string& warning : config::security_warnings(o.config_file, config, url))
    spdlog::warn("{}", warning);
  const std::string signing_key_file =
      o.audit_signing_key.empty() ? config.audit.signing_key_file : o.audit_signing_key;
  if (signing_key_file.empty()) {
    throw std::runtime_error(
        "no audit signing key: set audit.signing_key_file or --audit-signing-key to an Ed25519 "
        "private key (openssl genpkey -algorithm ed25519 -out FILE; chmod 600 FILE)");
  }
  auto signer = app::Ed25519Signer::load(signing_key_file);
  if (!signer.ok()) throw std::runtime_error(std::string(signer.status().message()));
  // Every file of the TLS set before the database: a wrong one is told at once.
  const api::TrustFiles tls_files = trust_files(o, config);
  auto cas = api::load_authorities(tls_files);
  if (!cas.ok()) throw std::runtime_error("tls: " + std::string(cas.status().message()));
  auto revoked = api::load_revocations(tls_files);
  if (!revoked.ok()) throw std::runtime_error("tls: " + std::string(revoked.status().message()));
  api::CertificateTrust trust(config.principals, std::move(*cas), std::move(*revoked));
  if (!o.insecure_plaintext)
    api::warn_of_principals_any_root_may_name(tls_files, config.principals);

  {
    // Migrations run as the schema owner; the service itself may run as a role that cannot
    // change the audit trail.
    const std::string owner_url = o.migration_database_url.empty()
                                      ? url
                                      : config::with_client_timeouts(config::with_tls(
                                            o.migration_database_url, config.database));
    pqxx::connection c(owner_url);
    if (auto s = store::migrate(c); !s.ok()) throw std::runtime_error(std::string(s.message()));
  }

  app::SystemClock clock;
  // One pool for the process: calls may take every connection, the background workers all but
  // one. Each unit of work holds one connection at a time.
  store::PgPool pool(
      url,
      {config.database.pool_size, std::chrono::milliseconds{config.database.acquire_timeout_ms},
       std::chrono::milliseconds{config.database.statement_timeout_ms},
       std::chrono::milliseconds{config.database.lock_timeout_ms}},
      store::prepare_statements);
  store::PgStore store(pool, store::PgPool::Use::kCall);
  store::PgStore worker_store(pool, store::PgPool::Use::kBackground);
  // A service that could rewrite the trail would make it no proof at all (protocol art. 7.2).
  if (auto s = store::check_service_role(pool); !s.ok()) {
    throw std::runtime_error(std::string(s.message()));
  }
  app::Directory directory(config.parties);
  const app::RulePolicies rule_policies{config.reviewed_rules, config.escalation, config.targets};
  app::ReportIncident report_incident(clock, store, directory, rule_policies);
  app::LogRequest log_request(clock, store, directory, config.max_copy_bytes, rule_policies);
  app::CloseObligation close_obligation(clock, store);
  app::UpdateIncident update_incident(clock, store, directory, rule_policies);
  app::CloseIncident close_incident(clock, store);
  app::CloseRequest close_request(clock, store);
  app::ExtendRequest extend_request(clock, store, directory, rule_policies);
  app::PreviewObligations preview(clock, directory, config.targets);
  app::RecordConsultation record_consultation(clock, store, directory);
  app::RecordIdentification record_identification(clock, store, directory, rule_policies);
  app::RefuseRequest refuse_request(clock, store, directory, rule_policies);
  app::ReportMatter report_matter(clock, store, directory, rule_policies);
  app::Queries queries(store);
  app::Notifications notifications(clock, store);
  app::Registers registers(clock, store, directory);
  const notify::TemplateSet templates = load_templates(config.mail);
  const std::unique_ptr<notify::Mailer> mailer = make_mailer(config.mail, o);
  std::map<std::string, std::string> principal_emails;
  for (const config::Principal& p : config.principals) {
    if (!p.email.empty()) principal_emails[p.name] = p.email;
  }
  const jobs::NoticeComposer composer(
      clock, store, directory, templates, config.mail.from, principal_emails, config.webhooks,
      app::AuditCheckpoints::trusted_keys(*signer, config.audit.previous_public_keys));
  store::PgListener step_listener(url, store::kStepChannel, &pool.wakeups());
  jobs::EscalationScheduler scheduler(
      clock, worker_store, directory, rule_policies,
      [&step_listener](std::chrono::milliseconds t) { step_listener.wait(t); });
  store::PgListener outbox_listener(url, store::kOutboxChannel, &pool.wakeups());
  // config.mail.connections senders share the dispatcher, each thread with its own connection.
  jobs::SharedWait outbox_wait(
      [&outbox_listener](std::chrono::milliseconds t) { outbox_listener.wait(t); },
      [&pool] { pool.wakeups().wake(store::kOutboxChannel); });
  std::mutex random_mutex;
  std::mt19937_64 random_engine{std::random_device{}()};
  jobs::OutboxDispatcher dispatcher(
      clock, worker_store, composer, *mailer,
      {config.mail.max_attempts, std::chrono::seconds{config.mail.retry_initial_seconds},
       std::chrono::seconds{config.mail.retry_max_seconds}},
      [&] {
        std::lock_guard lock(random_mutex);
        return std::uniform_real_distribution<double>(0, 1)(random_engine);
      },
      [&outbox_wait](std::chrono::milliseconds t) { outbox_wait.wait(t); },
      {.lease = mail_lease(config.mail)}, [&outbox_wait] { outbox_wait.wake_one(); });
  store::PgAuditStore audit_store(pool);
  store::PgAuditStore worker_audit_store(pool, store::PgPool::Use::kBackground);
  app::AuditTrail audit_trail(audit_store);
  store::PgListener audit_listener(url, store::kAuditChannel, &pool.wakeups());
  jobs::AuditSequencer sequencer(
      worker_audit_store,
      [&audit_listener](std::chrono::milliseconds t) { audit_listener.wait(t); });
  // Every checkpoint is mailed to every party's DPO, who so holds the proof.
  std::vector<std::string> checkpoint_recipients;
  for (const domain::Party& party : config.parties) checkpoint_recipients.push_back(party.id);
  app::AuditCheckpoints audit_checkpoints(clock, audit_trail, audit_store, *signer,
                                          checkpoint_recipients, config.audit.previous_public_keys);
  jobs::TamperAlarm tamper_alarm(composer, *mailer, directory);
  jobs::AuditCheckpointer checkpointer(
      clock, audit_checkpoints, std::chrono::hours(config.audit.checkpoint_interval_hours),
      sleep_unless_stopped,
      [&tamper_alarm](const std::string& reason) { tamper_alarm.raise(reason); });
  spdlog::info("audit checkpoints are signed with Ed25519 public key {}",
               app::to_hex(signer->public_key()));

  std::unique_ptr<api::Authenticator> authenticator;
  if (o.insecure_plaintext) {
    authenticator = std::make_unique<api::HeaderAuthenticator>(trust);
  } else {
    authenticator = std::make_unique<api::CertificateAuthenticator>(trust);
  }
  // One thread per connection: a call holds at most one.
  api::CallExecutor executor(config.database.pool_size, kMaxQueuedCalls, kMaxQueuedBytes);
  // WatchEvents streams read on when the audit trail grows (migration 0015 announces it).
  api::EventStreams event_streams(audit_trail, queries, executor);
  store::PgListener events_listener(url, store::kEventsChannel);
  store::PgWebhookStore call_webhook_store(pool, store::PgPool::Use::kCall);
  notify::CurlWebhookSender webhook_sender;
  api::TermijnService service(*authenticator,
                              {directory,
                               report_incident,
                               log_request,
                               close_obligation,
                               preview,
                               queries,
                               audit_trail,
                               notifications,
                               composer,
                               audit_checkpoints,
                               update_incident,
                               close_incident,
                               close_request,
                               extend_request,
                               registers,
                               config.webhooks,
                               call_webhook_store,
                               webhook_sender,
                               clock,
                               record_consultation,
                               record_identification,
                               refuse_request,
                               report_matter},
                              executor, event_streams);

  grpc::EnableDefaultHealthCheckService(true);
  // Server reflection: grpcurl-style tools and other languages' clients discover the API. It
  // tells only what the public .proto does, to clients that passed the TLS handshake.
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(o.listen, credentials(o, tls_files), &port);
  // Room for the largest allowed copy of a request plus the rest of the message (the config
  // bounds max_copy_bytes, so this fits an int).
  builder.SetMaxReceiveMessageSize(static_cast<int>(config.max_copy_bytes + (1 << 20)));
  // Clients keep quiet event streams alive with pings (set_keepalive): accepted that often, not
  // answered with GOAWAY "too many pings".
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
                             kMinKeepaliveSeconds * 1000 / 2);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) throw std::runtime_error("cannot listen on " + o.listen);
  spdlog::info("termijnd listening on {} (port {}), {} parties, {} principals", o.listen, port,
               config.parties.size(), config.principals.size());

  // The web console ([web] listen): the same principals, policy and use cases over HTTPS.
  std::unique_ptr<web::WebConsole> console;
  const std::string web_listen = o.web_listen.empty() ? config.web.listen : o.web_listen;
  if (!web_listen.empty()) {
    if (o.insecure_plaintext) throw std::runtime_error("the web console needs TLS ([tls])");
    console = std::make_unique<web::WebConsole>(
        clock, trust,
        web::UseCases{directory, report_incident, log_request, close_obligation, queries,
                      notifications, audit_trail, close_incident, close_request, update_incident,
                      registers, extend_request, record_consultation, record_identification,
                      refuse_request, composer, preview, report_matter},
        web::Settings{
            .listen = web_listen,
            .tls = tls_files,
            .trusted_proxies = config.web.trusted_proxies,
            .proxy_header = config.web.proxy_header,
            .proxy_principals = config.web.proxy_principals,
            .max_copy_bytes = config.max_copy_bytes,
            .assets_dir = TERMIJN_WEB_ASSETS_DIR,
            .form_key_file = o.web_form_key.empty() ? config.web.form_key_file : o.web_form_key});
    const auto web_port = console->start();
    if (!web_port.ok()) throw std::runtime_error(std::string(web_port.status().message()));
    spdlog::info("web console on https://{}:{}/", web_listen.substr(0, web_listen.rfind(':')),
                 *web_port);
    write_port_file(o.web_port_file, "--web-port-file", *web_port);
  }
  // Last of the files that say where termijnd listens: whoever waits for it finds every port
  // open.
  write_port_file(o.port_file, "--port-file", port);

  std::jthread sequencing([&sequencer](std::stop_token stop) { sequencer.run(stop); });
  std::vector<std::jthread> dispatching;
  for (int i = 0; i < mailer->useful_senders(config.mail.connections); ++i) {
    dispatching.emplace_back([&dispatcher](std::stop_token stop) { dispatcher.run(stop); });
  }
  std::jthread scheduling([&scheduler](std::stop_token stop) { scheduler.run(stop); });
  std::jthread checkpointing([&checkpointer](std::stop_token stop) { checkpointer.run(stop); });
  // NOT_SERVING while the database does not answer (or hangs), SERVING again when it does.
  store::PgProbe database_probe(url);
  jobs::HealthProbe health(
      [&database_probe] { return database_probe.ping(); },
      [&server](bool serving) { server->GetHealthCheckService()->SetServingStatus(serving); },
      sleep_unless_stopped);
  std::jthread probing([&health](std::stop_token stop) { health.run(stop); });
  // Webhooks: one dispatcher per endpoint, each with its own wake-up, so that none waits on
  // another's slow endpoint.
  app::AuditTrail worker_audit_trail(worker_audit_store);
  app::Queries worker_queries(worker_store);
  store::PgWebhookStore webhook_store(pool);
  std::mutex webhook_random_mutex;
  std::mt19937_64 webhook_random{std::random_device{}()};
  std::vector<std::unique_ptr<store::PgListener>> webhook_listeners;
  std::vector<std::unique_ptr<jobs::WebhookDispatcher>> webhook_dispatchers;
  for (const config::Webhook& endpoint : config.webhooks) {
    auto& listener = *webhook_listeners.emplace_back(
        std::make_unique<store::PgListener>(url, store::kEventsChannel));
    webhook_dispatchers.push_back(std::make_unique<jobs::WebhookDispatcher>(
        clock, endpoint, webhook_store, webhook_sender,
        [&](const config::Webhook& w,
            int64_t after) -> absl::StatusOr<jobs::WebhookDispatcher::Events> {
          // The endpoint sees what its party's DPO sees on the stream.
          const api::Principal as{"webhook:" + w.name, w.party, false, true, false};
          auto page = api::read_events(worker_audit_trail, worker_queries, as, {w.types, w.subject},
                                       after, 200);
          if (!page.ok()) return page.status();
          return jobs::WebhookDispatcher::Events{std::move(page->events), page->last_seq,
                                                 page->full};
        },
        api::event_json,
        [&] {
          std::lock_guard lock(webhook_random_mutex);
          return std::uniform_real_distribution<double>(0, 1)(webhook_random);
        },
        [&listener](std::chrono::milliseconds t) { listener.wait(t); }));
  }
  std::vector<std::jthread> webhooking;
  for (auto& d : webhook_dispatchers) {
    webhooking.emplace_back([&d](std::stop_token stop) { d->run(stop); });
  }
  std::jthread event_waking([&](std::stop_token stop) {
    event_streams.run(
        stop, [&events_listener](std::chrono::milliseconds t) { return events_listener.wait(t); },
        [&worker_audit_store] {
          const auto head = worker_audit_store.head();
          return head.ok() ? head->first : int64_t{-1};
        });
  });
  std::thread stopper([&] {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    int signal = 0;
    while (sigwait(&signals, &signal) == 0 && signal == SIGHUP) {
      if (auto s = api::reload_trust(trust, tls_files); !s.ok()) {
        spdlog::error("SIGHUP: {}", std::string(s.message()));
      }
      // Open event streams authenticate their callers again now, not at their next event.
      event_streams.wake();
      // The console's TLS is its own (cpp-httplib): it takes the new certificate now.
      if (console) {
        if (auto s = console->reload_certificate(); !s.ok()) {
          spdlog::error("SIGHUP: web console: {}", std::string(s.message()));
        } else {
          spdlog::info("SIGHUP: the web console presents {}", tls_files.cert_file);
        }
      }
    }
    spdlog::info("signal {}: shutting down", signal);
    // Workers stop after their current item; a send in progress is aborted and given back
    // uncounted, due at once: it goes out after the restart, as the same message.
    scheduling.request_stop();
    checkpointing.request_stop();
    probing.request_stop();
    for (std::jthread& t : dispatching) t.request_stop();
    sequencing.request_stop();
    event_waking.request_stop();
    for (std::jthread& t : webhooking) t.request_stop();
    webhook_sender.stop();
    mailer->stop();
    // Open event streams end now (their clients resume with the last seq they received);
    // gRPC would otherwise wait the whole grace period for them.
    event_streams.shutdown();
    outbox_wait.stop();  // every sender, also the one on the listener
    store::notify_channels(pool,
                           {store::kStepChannel, store::kAuditChannel, store::kEventsChannel});
    server->Shutdown(std::chrono::system_clock::now() + kCallsGrace);
    if (console) console->stop();
  });
  server->Wait();
  stopper.join();
  executor.shutdown();
  scheduling.join();
  checkpointing.join();
  for (std::jthread& t : dispatching) t.join();
  sequencing.join();
  sequencer.run_once();  // chain what the last calls queued
  spdlog::info("termijnd stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // Signals are taken by the stopper thread; block them before any other thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // Debian builds Abseil with the checks of a debug build: every lock of gRPC's mutexes would
  // update a graph of lock order (3 % of termijnd's CPU under load). Our locks are std::mutex.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  spdlog::set_default_logger(spdlog::stderr_color_mt("termijnd"));
  Options o;
  CLI::App cli{"termijnd: the Termijn deadline service"};
  cli.add_option("--config", o.config_file, "TOML configuration file")->required();
  cli.add_option("--listen", o.listen, "HOST:PORT to serve on (port 0: any free port)")
      ->capture_default_str();
  cli.add_option("--database-url", o.database_url, "PostgreSQL connection string")
      ->envname("TERMIJN_DATABASE_URL");
  cli.add_option("--migration-database-url", o.migration_database_url,
                 "PostgreSQL connection string of the schema owner, for migrations; termijnd "
                 "refuses to run as a role that owns the audit trail (default: --database-url)")
      ->envname("TERMIJN_MIGRATION_DATABASE_URL");
  cli.add_option("--tls-ca", o.tls_ca, "CA certificate that signs client certificates (PEM)");
  cli.add_option("--tls-cert", o.tls_cert, "server certificate (PEM)");
  cli.add_option("--tls-key", o.tls_key, "server private key (PEM)");
  cli.add_option("--tls-crl", o.tls_crl,
                 "certificate revocation list(s) of the CA (PEM); re-read on SIGHUP");
  cli.add_option("--mail-dir", o.mail_dir,
                 "write mail as .eml files here when no SMTP server is configured");
  cli.add_option("--audit-signing-key", o.audit_signing_key,
                 "Ed25519 private key (PEM, mode 0600) that signs audit checkpoints (default: "
                 "audit.signing_key_file)")
      ->envname("TERMIJN_AUDIT_SIGNING_KEY");
  cli.add_option("--port-file", o.port_file,
                 "write the bound port to this file once serving (and the web console too)");
  cli.add_option("--web-listen", o.web_listen,
                 "HOST:PORT of the web console (default: web.listen; none: no console)");
  cli.add_option("--web-port-file", o.web_port_file,
                 "write the web console's bound port to this file once serving");
  cli.add_option("--web-form-key", o.web_form_key,
                 "key of the console's form tokens, shared by every termijnd behind one balancer "
                 "(file, mode 0600; default: web.form_key_file; none: random per process)");
  cli.add_flag("--insecure-plaintext", o.insecure_plaintext,
               "serve without TLS; loopback only, development only");
  CLI11_PARSE(cli, argc, argv);
  if (const std::string error = config::command_line_password({argv, argv + argc});
      !error.empty()) {
    spdlog::critical("{}", error);
    return 2;
  }
  try {
    return serve(o);
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
}
