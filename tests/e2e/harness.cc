#include "tests/e2e/harness.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/support/smtp_server.h"

extern char** environ;

namespace termijn::testing {

namespace fs = std::filesystem;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

namespace {

// Spawns argv with stdout/stderr to files; returns the pid.
pid_t spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
            const std::string& out_file, const std::string& err_file) {
  std::vector<std::string> environment;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const std::string key = entry.substr(0, entry.find('='));
    // The CLI must see only what the test gives it.
    if (key.rfind("TERMIJN_", 0) == 0 && key != "TERMIJN_TEST_DATABASE_URL") continue;
    if (!env.count(key)) environment.push_back(entry);
  }
  for (const auto& [k, v] : env) environment.push_back(k + "=" + v);
  std::vector<char*> envp, args;
  for (auto& e : environment) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& a : argv_copy) args.push_back(a.data());
  args.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
  return pid;
}

int wait_for(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

std::string dev_certs_script() { return std::string(TERMIJN_SOURCE_DIR) + "/scripts/dev-certs"; }

size_t occurrences(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

}  // namespace

pid_t spawn_process(const std::vector<std::string>& argv,
                    const std::map<std::string, std::string>& env, const std::string& out_file,
                    const std::string& err_file) {
  return spawn(argv, env, out_file, err_file);
}

std::string binary(const std::string& name) { return std::string(TERMIJN_BIN_DIR) + "/" + name; }

std::string utc_ago(std::chrono::seconds ago) {
  const std::time_t t =
      std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() - ago);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

Outcome run_command(const std::vector<std::string>& argv,
                    const std::map<std::string, std::string>& env) {
  const std::string dir = MakeTempDir("termijn-cmd");
  const pid_t pid = spawn(argv, env, dir + "/out", dir + "/err");
  Outcome outcome;
  outcome.exit_code = wait_for(pid);
  outcome.out = read_file(dir + "/out");
  outcome.err = read_file(dir + "/err");
  fs::remove_all(dir);
  return outcome;
}

Background::Background(const std::vector<std::string>& argv,
                       const std::map<std::string, std::string>& env)
    : dir_(MakeTempDir("termijn-bg")) {
  pid_ = spawn(argv, env, dir_ + "/out", dir_ + "/err");
}

Background::~Background() {
  stop();
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

std::string Background::out() const { return read_file(dir_ + "/out"); }
std::string Background::err() const { return read_file(dir_ + "/err"); }

int Background::stop() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    status_ = wait_for(pid_);
    pid_ = -1;
  }
  return status_;
}

int Background::exited() {
  if (pid_ <= 0) return status_;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) != pid_) return -1;
  pid_ = -1;
  status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return status_;
}

const Certificates& Certificates::get() {
  static const Certificates certs = [] {
    Certificates c;
    c.dir = MakeTempDir("termijn-certs");
    c.other_ca_dir = MakeTempDir("termijn-other-ca");
    const auto check = [](const Outcome& o) {
      if (o.exit_code != 0) throw std::runtime_error("dev-certs failed: " + o.err);
    };
    // Made once per test run (tests/scripts/test_certificates.sh, CTest fixture
    // e2e_certificates) and copied: making them takes a second or two, per test process.
    if (const char* made = std::getenv("TERMIJN_TEST_CERTIFICATES");
        made != nullptr && fs::exists(fs::path(made) / "main" / "ca.crt")) {
      fs::copy(fs::path(made) / "main", c.dir, fs::copy_options::recursive);
      fs::copy(fs::path(made) / "other-ca", c.other_ca_dir, fs::copy_options::recursive);
      return c;
    }
    check(run_command({dev_certs_script(), c.dir}));
    check(run_command({dev_certs_script(), c.dir, "stranger"}));
    check(run_command({dev_certs_script(), c.dir, "expired"}, {{"EXPIRED", "1"}}));
    check(run_command({dev_certs_script(), c.other_ca_dir, "herent-dpo"}));
    return c;
  }();
  return certs;
}

Certificates::~Certificates() {
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  fs::remove_all(other_ca_dir, ignored);
}

Termijnd::Termijnd(TermijndOptions options)
    : Termijnd(std::make_shared<TestDatabase>(), std::move(options)) {}

std::unique_ptr<Termijnd> Termijnd::sharing_database_of(const Termijnd& other) {
  return std::unique_ptr<Termijnd>(new Termijnd(other.db_, other.options_));
}

std::unique_ptr<Termijnd> Termijnd::sharing_database_of(const Termijnd& other,
                                                        TermijndOptions options) {
  return std::unique_ptr<Termijnd>(new Termijnd(other.db_, std::move(options)));
}

Termijnd::Termijnd(std::shared_ptr<TestDatabase> db, TermijndOptions options)
    : db_(std::move(db)), options_(std::move(options)) {
  const Certificates& certs = Certificates::get();
  work_dir_ = MakeTempDir("termijnd");
  const std::string config = config_file();
  {
    std::string text = read_file(std::string(TERMIJN_SOURCE_DIR) + "/config/demo.toml");
    auto edits = options_.edits;
    if (!options_.auto_send) edits.insert(edits.begin(), {"auto_send = true", "auto_send = false"});
    for (const auto& [from, to] : edits) {
      for (size_t at = text.find(from); at != std::string::npos;
           at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
      }
    }
    std::ofstream out(config);
    out << text << "\n"
        << "[[principal]]\nname = \"expired-dpo\"\nparty = \"herent\"\nroles = [\"dpo\"]\n"
        << "certificate_cn = \"expired\"\n";
  }
  const std::string port_file = work_dir_ + "/port";
  std::vector<std::string> argv{binary("termijnd"), "--config", config, "--listen", "127.0.0.1:0"};
  const std::string ca_file = options_.ca_file.empty() ? certs.dir + "/ca.crt" : options_.ca_file;
  argv.insert(argv.end(), {"--tls-ca", ca_file, "--tls-cert", certs.dir + "/server.crt",
                           "--tls-key", certs.dir + "/server.key"});
  const std::string signing_key = options_.audit_signing_key.empty()
                                      ? certs.dir + "/audit-signing.key"
                                      : options_.audit_signing_key;
  argv.insert(argv.end(), {"--audit-signing-key", signing_key, "--port-file", port_file,
                           "--mail-dir", work_dir_ + "/mail"});
  switch (options_.role) {
    case TermijndOptions::Role::kService:
      argv.insert(argv.end(),
                  {"--database-url", db_->app_url(), "--migration-database-url", db_->url()});
      break;
    case TermijndOptions::Role::kOwner:
      argv.insert(argv.end(), {"--database-url", db_->url()});
      break;
    case TermijndOptions::Role::kSuperuser:
      argv.insert(argv.end(), {"--database-url", superuser_url(db_->name()),
                               "--migration-database-url", db_->url()});
      break;
  }
  if (!options_.crl_file.empty()) argv.insert(argv.end(), {"--tls-crl", options_.crl_file});
  argv.insert(argv.end(), options_.args.begin(), options_.args.end());
  try {
    pid_ = spawn(argv, options_.env, work_dir_ + "/stdout", work_dir_ + "/log");
    port_ = wait_for_port(port_file);
  } catch (...) {
    // No destructor runs for an object whose constructor throws.
    stop();
    std::error_code ignored;
    fs::remove_all(work_dir_, ignored);
    throw;
  }
}

int Termijnd::wait_for_port(const std::string& port_file) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < give_up) {
    const std::string text = read_file(port_file);
    if (!text.empty() && text.back() == '\n') return std::stoi(text);
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("termijnd exited at start: " + log());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling start-up, not a deadline
  }
  throw std::runtime_error("termijnd did not start within 30 s: " + log());
}

Termijnd::~Termijnd() {
  stop();
  fs::remove_all(work_dir_);
}

int Termijnd::stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  const int status = wait_for(pid_);
  pid_ = -1;
  return status;
}

int Termijnd::stop_within(std::chrono::seconds limit) {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  const auto give_up = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= give_up) {
      kill(pid_, SIGKILL);
      wait_for(pid_);
      pid_ = -1;
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // polling the exit
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void Termijnd::reload() {
  // termijnd logs every reload, good or bad, as "SIGHUP: ...".
  const size_t before = occurrences(log(), "SIGHUP: ");
  kill(pid_, SIGHUP);
  if (!poll_until([&] { return occurrences(log(), "SIGHUP: ") > before; })) {
    throw std::runtime_error("termijnd did not log the reload: " + log());
  }
}

void dev_certs(const std::vector<std::string>& names, bool revoke) {
  std::vector<std::string> argv{dev_certs_script(), Certificates::get().dir};
  if (revoke) argv.push_back("--revoke");
  argv.insert(argv.end(), names.begin(), names.end());
  const Outcome o = run_command(argv);
  if (o.exit_code != 0) throw std::runtime_error("dev-certs failed: " + o.err);
}

std::string scratch_path(const std::string& name) {
  struct Scratch {
    std::string dir = MakeTempDir("termijn-e2e");
    ~Scratch() {
      std::error_code ignored;
      fs::remove_all(dir, ignored);
    }
  };
  static const Scratch scratch;
  return scratch.dir + "/" + name;
}

std::string Termijnd::log() const { return read_file(work_dir_ + "/log"); }

namespace {

std::map<std::string, std::string> cli_env(const std::string& address,
                                           const std::string& principal) {
  const Certificates& certs = Certificates::get();
  return {{"TERMIJN_SERVER", address},
          {"TERMIJN_CA", certs.dir + "/ca.crt"},
          {"TERMIJN_CERT", certs.dir + "/" + principal + ".crt"},
          {"TERMIJN_KEY", certs.dir + "/" + principal + ".key"}};
}

std::vector<std::string> cli_argv(const std::vector<std::string>& args) {
  std::vector<std::string> argv{binary("termijn")};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

}  // namespace

Outcome Termijnd::cli(const std::string& principal, const std::vector<std::string>& args) const {
  return run_command(cli_argv(args), cli_env(address(), principal));
}

std::map<std::string, std::string> Termijnd::cli_environment(const std::string& principal) const {
  return cli_env(address(), principal);
}

std::unique_ptr<Background> Termijnd::cli_background(const std::string& principal,
                                                     const std::vector<std::string>& args) const {
  return std::make_unique<Background>(cli_argv(args), cli_env(address(), principal));
}

std::string superuser_url(const std::string& name) {
  const char* url = std::getenv("TERMIJN_TEST_SUPERUSER_URL");
  if (url == nullptr || *url == '\0') {
    throw std::runtime_error("TERMIJN_TEST_SUPERUSER_URL is not set; run scripts/test");
  }
  return std::string(url) + "&dbname=" + name;
}

}  // namespace termijn::testing
