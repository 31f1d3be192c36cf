#include "server/config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "server/config/secure_url.h"
#include "tests/support/temp_dir.h"

namespace termijn::config {
namespace {

using ::testing::HasSubstr;

std::string demo() {
  std::ifstream in(TERMIJN_DEMO_CONFIG);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string error_of(const std::string& text) {
  try {
    parse_config(text, "test.toml");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

TEST(ConfigTest, TheDemoConfigurationLoads) {
  // config/demo.toml is what scripts/run serves.
  const Config c = parse_config(demo(), "demo.toml");
  ASSERT_EQ(c.parties.size(), 2u);
  EXPECT_EQ(c.parties[0].id, "herent");
  EXPECT_EQ(c.parties[0].zone->name(), "Europe/Brussels");
  EXPECT_EQ(c.principals.size(), 5u);
  EXPECT_EQ(c.max_copy_bytes, 10 * 1024 * 1024);
  EXPECT_TRUE(c.reviewed_rules.empty());
}

TEST(ConfigTest, TheWebConsoleIsOffUnlessConfigured) {
  // [web] listen turns the console on; trusted proxies are IP addresses only.
  EXPECT_TRUE(parse_config(demo(), "demo.toml").web.listen.empty());
  const Config c = parse_config(demo() +
                                    "\n[web]\nlisten = \"127.0.0.1:8443\"\ntrusted_proxies = "
                                    "[\"10.0.0.5\", \"::1\"]\nproxy_principals = [\"auditor\"]\n",
                                "test.toml");
  EXPECT_EQ(c.web.listen, "127.0.0.1:8443");
  EXPECT_EQ(c.web.trusted_proxies, (std::vector<std::string>{"10.0.0.5", "::1"}));
  EXPECT_EQ(c.web.proxy_principals, std::vector<std::string>{"auditor"});
  EXPECT_EQ(c.web.proxy_header, "X-Termijn-Principal");
  EXPECT_EQ(c.web.form_key_file, "");  // a random key per process
  EXPECT_EQ(
      parse_config(demo() + "\n[web]\nform_key_file = \"/etc/termijn/web-form.key\"\n", "demo.toml")
          .web.form_key_file,
      "/etc/termijn/web-form.key");
  EXPECT_THAT(error_of(demo() + "\n[web]\nlisten = \"8443\"\n"),
              HasSubstr("web.listen must be HOST:PORT"));
  EXPECT_THAT(error_of(demo() + "\n[web]\ntrusted_proxies = [\"proxy.example\"]\n"),
              HasSubstr("web.trusted_proxies: 'proxy.example' is not an IP address"));
  // A proxy is named by its principal too: without one, any principal's certificate, used from
  // the proxy's address, could name any other.
  EXPECT_THAT(error_of(demo() + "\n[web]\ntrusted_proxies = [\"10.0.0.5\"]\n"),
              HasSubstr("web.proxy_principals: name the [[principal]]"));
  EXPECT_THAT(error_of(demo() + "\n[web]\ntrusted_proxies = [\"10.0.0.5\"]\nproxy_principals = "
                                "[\"sso\"]\n"),
              HasSubstr("web.proxy_principals: 'sso' is not a configured [[principal]]"));
}

TEST(ConfigTest, AnAddressMailCannotCarryIsRefusedAtStart) {
  // An address a mail cannot carry (a name with it, a trailing space, two in one) is refused at
  // start, naming the key: in Cc of every notice to a party it would stop them all.
  // Before: anything with an '@' passed, and the mails failed for good at runtime.
  EXPECT_THAT(error_of(replaced(demo(), "\"dpo-deputy@herent.example\"",
                                "\"Deputy <dpo-deputy@herent.example>\"")),
              HasSubstr("party[0].dpo_deputy.email: 'Deputy <dpo-deputy@herent.example>' is not "
                        "a plain address"));
  EXPECT_THAT(error_of(replaced(demo(), "\"dpo@kortenberg.example\"",
                                "\"dpo@kortenberg.example; x@kortenberg.example\"")),
              HasSubstr("party[1].dpo.email"));
  EXPECT_THAT(error_of(replaced(demo(), "from = \"termijn@ocmw.example\"",
                                "from = \"Termijn <termijn@ocmw.example>\"")),
              HasSubstr("mail.from: 'Termijn <termijn@ocmw.example>' is not a plain address"));
}

TEST(ConfigTest, MistakesAreRefusedNamingTheKey) {
  // The server refuses to start with a message that names what is wrong.
  EXPECT_THAT(error_of(replaced(demo(), "Europe/Brussels", "Mars/Olympus")),
              HasSubstr("party[0].time_zone 'Mars/Olympus' is not in the tz database"));
  EXPECT_THAT(error_of(replaced(demo(), "roles = [\"reporter\"]", "roles = [\"boss\"]")),
              HasSubstr("principal[1].roles: unknown role 'boss'"));
  EXPECT_THAT(error_of(replaced(demo(), "[rules.\"protocol.breach_notice\"]",
                                "[rules.\"protocol.unknown\"]")),
              HasSubstr("rules.\"protocol.unknown\" is not a known rule"));
  EXPECT_THAT(error_of(demo() + "\n[rules.\"gdpr.art33_authority\"]\nreminders = [{ at = \"150%\", "
                                "to = [\"owner_dpo\"] }]\n"),
              HasSubstr("rules.\"gdpr.art33_authority\".reminders[0]: '150%'"));
  EXPECT_THAT(error_of("[[party]]\nid = \"x\"\n"), HasSubstr("party[0].dpo"));
  EXPECT_THAT(error_of("not toml ="), HasSubstr("test.toml: line 1"));
}

TEST(ConfigTest, AReminderLongerThanAYearIsRefusedNamingTheKey) {
  // A reminder offset or repetition over 366 days is refused at start, naming the key.
  //
  // Before: every = "99999999999999999999h" stopped termijnd with the bare message "stoll", and
  // at = "-200000000000000d" overflowed into a reminder after the due time.
  const std::string rule = "\n[rules.\"gdpr.art33_authority\"]\nreminders = [{ at = ";
  EXPECT_THAT(error_of(demo() + rule +
                       "\"+12h\", every = \"99999999999999999999h\", to = "
                       "[\"owner_dpo\"] }]\n"),
              HasSubstr("rules.\"gdpr.art33_authority\".reminders[0]: every "
                        "'99999999999999999999h': must be a duration of at least 1h and at most "
                        "366d"));
  EXPECT_THAT(error_of(demo() + rule + "\"-200000000000000d\", to = [\"owner_dpo\"] }]\n"),
              HasSubstr("rules.\"gdpr.art33_authority\".reminders[0]: '-200000000000000d': an "
                        "offset from the due time is at most 366d"));
}

TEST(ConfigTest, AValueOfTheWrongTypeIsRefusedNotReplacedByTheDefault) {
  // Before, a value of another type read as the key's default: auto_send = "false" (quoted) sent
  // every notice of the rule unreviewed, and pool_size = "4" gave 8 connections.
  const std::string rule = "[rules.\"protocol.request_notice\"]\nauto_send = true";
  EXPECT_THAT(error_of(replaced(demo(), rule,
                                "[rules.\"protocol.request_notice\"]\nauto_send = \"false\"")),
              HasSubstr("test.toml: rules.\"protocol.request_notice\".auto_send must be true or "
                        "false, without quotes"));
  EXPECT_THAT(error_of(replaced(demo(), "pool_size = 8", "pool_size = \"4\"")),
              HasSubstr("database.pool_size must be a whole number, without quotes"));
  EXPECT_THAT(error_of(replaced(demo(), "connections = 4", "connections = 4.5")),
              HasSubstr("mail.connections must be a whole number"));
  EXPECT_THAT(error_of(replaced(demo(), "from = \"termijn@ocmw.example\"", "from = 7")),
              HasSubstr("mail.from must be a string, in quotes"));
  EXPECT_THAT(error_of(replaced(demo(), "roles = [\"reporter\"]", "roles = \"reporter\"")),
              HasSubstr("principal[1].roles must be a list of strings"));
  EXPECT_THAT(error_of(demo() + "\n[web]\ntrusted_proxies = [\"10.0.0.5\", 7]\n"),
              HasSubstr("web.trusted_proxies[1] must be a string, not empty"));
  EXPECT_THAT(error_of(demo() + "\n[mail.smtp_url]\nhost = \"x\"\n"),
              HasSubstr("mail.smtp_url must be a string"));
  // A number too large for its key is refused too, not cut to fit or replaced.
  EXPECT_THAT(error_of(replaced(demo(), "pool_size = 8", "pool_size = 4294967304")),
              HasSubstr("database.pool_size must be between 2 and 100"));
}

TEST(ConfigTest, AMisspeltKeyIsRefusedNamingTheKeysItsTableHas) {
  // Before, a key nobody reads was ignored: auto_sned = false sent unreviewed, [mial] went
  // unnoticed.
  const std::string rule = "[rules.\"protocol.request_notice\"]\nauto_send = true";
  EXPECT_THAT(
      error_of(replaced(demo(), rule, "[rules.\"protocol.request_notice\"]\nauto_sned = false")),
      HasSubstr("test.toml: rules.\"protocol.request_notice\".auto_sned is not a known "
                "key (rules.\"protocol.request_notice\" has auto_send, reminders, "
                "target_hours)"));
  EXPECT_THAT(error_of(replaced(demo(), "connections = 4", "conections = 4")),
              HasSubstr("mail.conections is not a known key (mail has ca_file, connect_timeout_"
                        "seconds, connections,"));
  EXPECT_THAT(error_of(demo() + "\n[mial]\nfrom = \"termijn@ocmw.example\"\n"),
              HasSubstr("mial is not a known key (top level has audit, database, limits, mail,"));
  EXPECT_THAT(error_of(replaced(demo(), "\"dpo@kortenberg.example\"",
                                "\"dpo@kortenberg.example\", phone = \"016\"")),
              HasSubstr("party[1].dpo.phone is not a known key (party[1].dpo has email, name)"));
  EXPECT_THAT(error_of(demo() + "\n[rules.\"gdpr.art33_authority\"]\nreminders = [{ at = "
                                "\"-1h\", to = [\"owner_dpo\"], cc = [\"x\"] }]\n"),
              HasSubstr("rules.\"gdpr.art33_authority\".reminders[0].cc is not a known key"));
}

TEST(ConfigTest, PoolAndLimitsHaveBoundsThatKeepTheServiceSafe) {
  // A pool of one (the workers would starve the calls), a copy limit that no longer fits a gRPC
  // message (it was cast to int), and database timeouts out of range are refused naming the key.
  EXPECT_THAT(error_of(replaced(demo(), "pool_size = 8", "pool_size = 1")),
              HasSubstr("database.pool_size must be between 2 and 100"));
  EXPECT_THAT(
      error_of(replaced(demo(), "max_copy_bytes = 10485760", "max_copy_bytes = 3000000000")),
      HasSubstr("limits.max_copy_bytes must be between 1 and 67108864"));
  EXPECT_THAT(error_of(replaced(demo(), "pool_size = 8", "pool_size = 8\nlock_timeout_ms = 0")),
              HasSubstr("database.lock_timeout_ms must be between 100 and 600000"));
  const config::Config c = config::parse_config(
      replaced(demo(), "pool_size = 8", "pool_size = 2\nstatement_timeout_ms = 5000"), "demo");
  EXPECT_EQ(c.database.pool_size, 2);
  EXPECT_EQ(c.database.statement_timeout_ms, 5000);
  EXPECT_EQ(c.database.acquire_timeout_ms, 5000);
}

TEST(ConfigTest, MailConnectionsAndTimeoutsHaveBounds) {
  // [mail] connections (senders at once) and the SMTP timeouts are read, with bounds.
  const Config c = parse_config(demo(), "demo.toml");
  EXPECT_EQ(c.mail.connections, 4);
  EXPECT_EQ(c.mail.connect_timeout_seconds, 10);
  EXPECT_EQ(c.mail.timeout_seconds, 60);
  EXPECT_EQ(
      parse_config(replaced(demo(), "connections = 4", "connections = 1"), "t").mail.connections,
      1);
  EXPECT_THAT(error_of(replaced(demo(), "connections = 4", "connections = 0")),
              HasSubstr("mail.connections must be between 1 and 32"));
  EXPECT_THAT(error_of(replaced(demo(), "timeout_seconds = 60", "timeout_seconds = 0")),
              HasSubstr("mail.timeout_seconds must be between 1 and 3600"));
  EXPECT_THAT(
      error_of(replaced(demo(), "connect_timeout_seconds = 10", "connect_timeout_seconds = 7200")),
      HasSubstr("mail.connect_timeout_seconds must be between 1 and 3600"));
}

TEST(ConfigTest, PinsAreNormalisedAndCheckedWhenRead) {
  // A fingerprint as `openssl x509 -fingerprint -sha256` prints it is stored as lower-case hex;
  // anything but 64 hex digits is refused naming the key.
  const std::string hex(64, 'a');
  std::string printed;
  for (size_t i = 0; i < 32; ++i) printed += (i ? ":" : "") + std::string("AA");
  const std::string anchor = "certificate_cn = \"herent-dpo\"";
  const Config c = parse_config(
      replaced(demo(), anchor, anchor + "\ncertificate_sha256 = \"" + printed + "\""), "t");
  EXPECT_EQ(c.principals[0].certificate_sha256, hex);
  for (const std::string& bad : {hex.substr(1), hex + "a", "sha256:" + hex}) {
    EXPECT_THAT(
        error_of(replaced(demo(), anchor, anchor + "\ncertificate_sha256 = \"" + bad + "\"")),
        HasSubstr("principal[0].certificate_sha256 must be a SHA-256 fingerprint"))
        << bad;
  }
}

TEST(ConfigTest, TheCrlFileIsRead) {
  // [tls] crl_file names the revocation list termijnd checks client certificates against.
  const Config c = parse_config(demo() + "\n[tls]\ncrl_file = \"/etc/termijn/ca.crl\"\n", "t");
  EXPECT_EQ(c.tls.crl_file, "/etc/termijn/ca.crl");
}

TEST(ConfigTest, ReviewAndRemindersPerRule) {
  // auto_send = false holds a rule's notices; reminders replace its default steps.
  const Config c = parse_config(
      replaced(demo(), "[rules.\"protocol.request_notice\"]\nauto_send = true",
               "[rules.\"protocol.request_notice\"]\nauto_send = false\nreminders = [{ at = "
               "\"-3h\", to = [\"owner_dpo\", \"reporter\"] }, { at = \"+6h\", every = \"6h\", "
               "to = [\"owner_escalation\"] }]"),
      "t.toml");
  EXPECT_EQ(c.reviewed_rules, std::set<std::string>{"protocol.request_notice"});
  const auto& steps = c.escalation.at("protocol.request_notice").steps;
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].offset, domain::StepDuration::of(std::chrono::hours{-3}));
  EXPECT_EQ(steps[0].to.size(), 2u);
  EXPECT_EQ(steps[1].every, std::optional(domain::StepDuration::of(std::chrono::hours{6})));
}

TEST(ConfigTest, TargetHoursOnlyForPolicyTargets) {
  // target_hours sets the period of a rule the law leaves to policy; a legal period cannot be
  // configured, and a target must be a whole number of hours within a year.
  const Config c = parse_config(
      demo() + "\n[rules.\"protocol.breach_consultation\"]\ntarget_hours = 8\n", "t.toml");
  ASSERT_EQ(c.targets.count("protocol.breach_consultation"), 1u);
  EXPECT_EQ(c.targets.at("protocol.breach_consultation").count, 8);
  EXPECT_THAT(error_of(demo() + "\n[rules.\"gdpr.art33_authority\"]\ntarget_hours = 8\n"),
              HasSubstr("set by law, not by policy"));
  EXPECT_THAT(error_of(demo() + "\n[rules.\"gdpr.art34_subjects\"]\ntarget_hours = 0\n"),
              HasSubstr("target_hours must be between 1 and 8760"));
  EXPECT_THAT(error_of(demo() + "\n[rules.\"gdpr.art34_subjects\"]\ntarget_hours = \"72\"\n"),
              HasSubstr("target_hours must be a whole number"));
}

TEST(ConfigTest, DatabaseTlsSettingsJoinTheUrl) {
  // sslmode and certificates reach libpq as URI parameters or conninfo keywords.
  Database db;
  db.sslmode = "verify-full";
  db.sslrootcert = "/etc/ssl/pg-ca.crt";
  EXPECT_EQ(with_tls("postgresql://db.example/termijn", db),
            "postgresql://db.example/termijn?sslmode=verify-full&sslrootcert=/etc/ssl/pg-ca.crt");
  EXPECT_EQ(
      with_tls("postgresql://db.example/termijn?user=x", db),
      "postgresql://db.example/termijn?user=x&sslmode=verify-full&sslrootcert=/etc/ssl/pg-ca.crt");
  EXPECT_EQ(
      with_tls("host=db.example dbname=termijn", db),
      "host=db.example dbname=termijn sslmode='verify-full' sslrootcert='/etc/ssl/pg-ca.crt'");
  EXPECT_EQ(with_tls("host=/run/postgresql", Database{}), "host=/run/postgresql");
  EXPECT_THAT(error_of(replaced(demo(), "pool_size = 8", "pool_size = 8\nsslmode = \"sometimes\"")),
              HasSubstr("database.sslmode 'sometimes' is not one of"));
}

TEST(ConfigTest, ClientTimeoutsJoinTheUrlUnlessItSetsThem) {
  // A database host that stops answering holds a worker for seconds, not for the kernel's
  // 15 minutes to 2 hours. Before: libpq's defaults (no timeout, the system's keepalives).
  constexpr char kAll[] =
      "connect_timeout=10&keepalives_idle=30&keepalives_interval=10&keepalives_count=3&"
      "tcp_user_timeout=30000";
  EXPECT_EQ(with_client_timeouts("postgresql://db.example/termijn"),
            std::string("postgresql://db.example/termijn?") + kAll);
  EXPECT_EQ(with_client_timeouts("postgresql://db.example/termijn?connect_timeout=3&"
                                 "keepalives_idle=5&keepalives_interval=5&keepalives_count=2&"
                                 "tcp_user_timeout=9000"),
            "postgresql://db.example/termijn?connect_timeout=3&keepalives_idle=5&"
            "keepalives_interval=5&keepalives_count=2&tcp_user_timeout=9000");
  EXPECT_EQ(with_client_timeouts("postgresql://db.example/termijn?"),
            std::string("postgresql://db.example/termijn?") + kAll)
      << "a trailing ? takes the parameters (before: ?&, which libpq refuses)";
  EXPECT_EQ(with_client_timeouts("host=db.example dbname=termijn connect_timeout=3"),
            "host=db.example dbname=termijn connect_timeout=3 keepalives_idle='30' "
            "keepalives_interval='10' keepalives_count='3' tcp_user_timeout='30000'");
}

TEST(ConfigTest, AnotherHostDefaultsToVerifyFull) {
  // A database on another host gets sslmode=verify-full; the socket and loopback get nothing;
  // a mode set in the config or the URL is kept.
  EXPECT_EQ(with_tls("postgresql://db.example/termijn", Database{}),
            "postgresql://db.example/termijn?sslmode=verify-full");
  EXPECT_EQ(with_tls("host=10.0.0.5 dbname=termijn", Database{}),
            "host=10.0.0.5 dbname=termijn sslmode='verify-full'");
  EXPECT_EQ(with_tls("host=/tmp/pg,db.example dbname=t", Database{}),
            "host=/tmp/pg,db.example dbname=t sslmode='verify-full'");
  for (const std::string local :
       {"postgresql:///termijn?host=/tmp/termijn-dev&user=termijn", "postgresql://localhost/t",
        "host=127.0.0.1 dbname=t", "postgresql://[::1]/t", "dbname=t"}) {
    EXPECT_EQ(with_tls(local, Database{}), local);
  }
  EXPECT_EQ(with_tls("postgresql://db.example/t?sslmode=require", Database{}),
            "postgresql://db.example/t?sslmode=require");
  Database explicit_mode;
  explicit_mode.sslmode = "require";
  EXPECT_EQ(with_tls("postgresql://db.example/t", explicit_mode),
            "postgresql://db.example/t?sslmode=require");
}

TEST(ConfigTest, WeakerTlsToAnotherHostIsWarnedAbout) {
  // Only an explicit mode below verify-full to another host draws a warning.
  const Config config = parse_config(demo(), "demo.toml");
  EXPECT_THAT(
      security_warnings("/nonexistent", config, "postgresql://db.example/t?sslmode=require"),
      ::testing::ElementsAre(HasSubstr("database: sslmode=require to another host")));
  EXPECT_THAT(security_warnings("/nonexistent", config, "host=db.example sslmode=verify-full"),
              ::testing::IsEmpty());
  EXPECT_THAT(security_warnings("/nonexistent", config, "host=/tmp sslmode=disable"),
              ::testing::IsEmpty());
}

TEST(ConfigTest, ReadableConfigWithAPasswordIsWarnedAbout) {
  // A config file holding smtp_password (or a password in database.url) that others can read
  // draws a warning naming the file and its mode; at 0600, or without a password, none.
  const termijn::testing::ScopedTempDir dir("termijn-config");
  const std::string path = dir.file("termijn.toml");
  std::ofstream(path) << "x";
  Config config = parse_config(demo(), "demo.toml");
  const std::string socket = "host=/tmp";
  std::filesystem::permissions(path, std::filesystem::perms(0644));
  EXPECT_THAT(security_warnings(path, config, socket), ::testing::IsEmpty());
  config.mail.smtp_password = "s3cret";
  EXPECT_THAT(
      security_warnings(path, config, socket),
      ::testing::ElementsAre(::testing::AllOf(HasSubstr(path + " holds a password"),
                                              HasSubstr("(mode 0644)"), HasSubstr("chmod 600"))));
  std::filesystem::permissions(path, std::filesystem::perms(0600));
  EXPECT_THAT(security_warnings(path, config, socket), ::testing::IsEmpty());
  config.mail.smtp_password.clear();
  config.database.url = "postgresql://termijn:s3cret@db.example/termijn";
  std::filesystem::permissions(path, std::filesystem::perms(0640));
  EXPECT_THAT(security_warnings(path, config, socket),
              ::testing::ElementsAre(HasSubstr("(mode 0640)")));
}

TEST(ConfigTest, PasswordsOnTheCommandLineAreRefused) {
  // A connection string with a password in either URL option, in either spelling, is refused
  // naming the option; without a password it is fine.
  EXPECT_THAT(command_line_password({"termijnd", "--config", "c.toml", "--database-url",
                                     "postgresql://app:s3cret@db.example/termijn"}),
              HasSubstr("--database-url holds a password"));
  EXPECT_THAT(command_line_password({"termijnd", "--migration-database-url=host=db password=x"}),
              HasSubstr("--migration-database-url holds a password"));
  EXPECT_EQ(command_line_password(
                {"termijnd", "--database-url", "postgresql:///termijn?host=/tmp/pg&user=termijn"}),
            "");
  EXPECT_EQ(command_line_password({"termijnd", "--config", "password=x.toml"}), "");
}

}  // namespace
}  // namespace termijn::config

namespace termijn::config {
namespace {

std::string with_webhook(const std::string& keys) {
  return replaced(demo(), "[audit]",
                  "[[webhook]]\nname = \"desk\"\nparty = \"herent\"\n" + keys + "\n\n[audit]");
}

TEST(SecureUrlTest, HttpOnlyToTheLoopbackHostLibcurlConnectsTo) {
  // A webhook's signed events and RT's token go in clear text only to this machine. The host is
  // the one libcurl connects to, not how the URL starts; a user or password is refused (logs
  // would show it).
  //
  // Before: a prefix match took "http://127.0.0.1@rt.example.org/" (host rt.example.org) and
  // "http://localhost.rt.example.org/" as loopback.
  for (const char* url : {"https://rt.example.org/", "HTTPS://rt.example.org",
                          "http://127.0.0.1:8080", "http://127.1.2.3/hook", "http://localhost/",
                          "http://LOCALHOST:80", "http://[::1]:8080/"}) {
    EXPECT_TRUE(secure_or_loopback(url)) << url;
  }
  for (const char* url : {"http://rt.example.org/", "http://localhost.rt.example.org/",
                          "http://127.0.0.1@rt.example.org/", "http://localhost:80@rt.example.org/",
                          "http://127.0.0.1.rt.example.org/", "https://user:secret@rt.example.org/",
                          "ftp://127.0.0.1/", "rt.example.org", "http://", ""}) {
    EXPECT_FALSE(secure_or_loopback(url)) << url;
  }
}

TEST(ConfigTest, PreviousPublicKeysAreHexEd25519Keys) {
  // [audit] previous_public_keys: the keys termijnd signed with before a key change, as it logs
  // them (64 hex digits, case and colons ignored); anything else is refused naming the key.
  const std::string with_key = replaced(
      demo(), "[audit]", "[audit]\nprevious_public_keys = [\"" + std::string(64, 'A') + "\"]");
  EXPECT_EQ(parse_config(with_key, "t.toml").audit.previous_public_keys,
            std::vector<std::string>{std::string(64, 'a')});
  EXPECT_THAT(error_of(replaced(demo(), "[audit]", "[audit]\nprevious_public_keys = [\"abc\"]")),
              HasSubstr("audit.previous_public_keys: 'abc' is not an Ed25519 public key"));
}

TEST(ConfigTest, WebhooksTakeTheirSecretFromTheEnvironmentOrAPrivateFile) {
  // A webhook's secret comes from the environment or a file only its owner may read; the URL is
  // HTTPS except to a loopback address; the party must exist.
  ::setenv("TERMIJN_TEST_HOOK_SECRET", "0123456789abcdef-secret", 1);
  const Config c =
      parse_config(with_webhook("url = \"https://desk.example/hook\"\nsecret_env = "
                                "\"TERMIJN_TEST_HOOK_SECRET\"\ntypes = [\"incident.\"]"),
                   "test.toml");
  ASSERT_EQ(c.webhooks.size(), 1u);
  EXPECT_EQ(c.webhooks[0].secret, "0123456789abcdef-secret");
  EXPECT_EQ(c.webhooks[0].types, std::vector<std::string>{"incident."});

  const termijn::testing::ScopedTempDir dir("termijn-config");
  const std::string file = dir.file("hook-secret");
  std::ofstream(file) << "from-a-file-0123456789\n";
  std::filesystem::permissions(file, std::filesystem::perms::owner_read |
                                         std::filesystem::perms::owner_write |
                                         std::filesystem::perms::group_read);
  const std::string from_file =
      with_webhook("url = \"https://desk.example/hook\"\nsecret_file = \"" + file + "\"");
  EXPECT_THAT(error_of(from_file), HasSubstr("webhook[0].secret_file"));
  EXPECT_THAT(error_of(from_file), HasSubstr("chmod 600"));
  std::filesystem::permissions(
      file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_EQ(parse_config(from_file, "test.toml").webhooks[0].secret, "from-a-file-0123456789");

  EXPECT_THAT(error_of(with_webhook("url = \"http://desk.example/hook\"\nsecret_env = "
                                    "\"TERMIJN_TEST_HOOK_SECRET\"")),
              HasSubstr("webhook[0].url must be https://"));
  EXPECT_EQ(error_of(with_webhook("url = \"http://127.0.0.1:8080/hook\"\nsecret_env = "
                                  "\"TERMIJN_TEST_HOOK_SECRET\"")),
            "");
  EXPECT_THAT(error_of(with_webhook("url = \"https://desk.example/hook\"\nsecret_env = "
                                    "\"TERMIJN_TEST_HOOK_UNSET\"")),
              HasSubstr("TERMIJN_TEST_HOOK_UNSET is not set"));
  EXPECT_THAT(error_of(with_webhook("url = \"https://desk.example/hook\"")),
              HasSubstr("set one of secret_env, secret_file"));
}

}  // namespace
}  // namespace termijn::config
