#include "tests/support/smtp_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <tuple>

extern char** environ;

namespace termijn::testing {
namespace {

namespace fs = std::filesystem;

// Python's aiosmtpd lives in Debian's interpreter; the python3 first on PATH may lack it.
constexpr const char* kPython = "/usr/bin/python3";

// Starts `argv` with stdout and stderr going to `log`, and `extra_env` added to the environment.
pid_t Spawn(const std::vector<std::string>& argv, const std::string& log,
            const std::vector<std::string>& extra_env) {
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const bool overridden = std::any_of(extra_env.begin(), extra_env.end(), [&](const auto& x) {
      return entry.rfind(x.substr(0, x.find('=') + 1), 0) == 0;
    });
    if (!overridden) env_strings.push_back(entry);
  }
  env_strings.insert(env_strings.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (std::string& s : args) argp.push_back(s.data());
  argp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argp[0], &actions, nullptr, argp.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  return pid;
}

bool Accepts(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// Waits for `pid` up to `limit`; true if it exited.
bool WaitFor(pid_t pid, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (true) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno == ECHILD)) return true;
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace

int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t length = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind a port: " + std::string(std::strerror(errno)));
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void MakeSelfSignedCertificate(const std::string& dir) {
  const std::string log = dir + "/openssl.log";
  const pid_t pid = Spawn({"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                           "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", dir + "/key.pem",
                           "-out", dir + "/cert.pem", "-days", "2", "-subj", "/CN=127.0.0.1",
                           "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"},
                          log, {});
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("openssl req failed: " + ReadFile(log));
  }
}

SmtpServer::SmtpServer(Options options) : options_(std::move(options)) {
  dir_ = MakeTempDir("termijn-smtp");
  try {
    port_ = options_.port != 0 ? options_.port : FreePort();
    std::vector<std::string> argv{
        kPython,         "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + std::to_string(port_), "-c",
        options_.handler};
    if (options_.tls == Tls::kStartTls) {
      argv.insert(argv.end(), {"--tlscert", options_.cert_file, "--tlskey", options_.key_file});
    } else if (options_.tls == Tls::kImplicit) {
      argv.insert(argv.end(), {"--smtpscert", options_.cert_file, "--smtpskey", options_.key_file});
    }
    argv.push_back(dir_ + "/maildir");
    const std::string log = dir_ + "/aiosmtpd.log";
    // The test handlers live next to this file; no __pycache__ in the source tree.
    pid_ = Spawn(argv, log,
                 {"PYTHONPATH=" + std::string(TERMIJN_SMTP_TEST_DIR), "PYTHONDONTWRITEBYTECODE=1"});
    // Polling only for start-up; no test waits on a clock.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!Accepts(port_)) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("aiosmtpd exited at start: " + ReadFile(log));
      }
      if (std::chrono::steady_clock::now() > deadline) {
        throw std::runtime_error("aiosmtpd did not accept connections within 30 s: " +
                                 ReadFile(log));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  } catch (...) {
    stop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
    throw;
  }
}

SmtpServer::~SmtpServer() {
  stop();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

void SmtpServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  if (!WaitFor(pid_, std::chrono::seconds(5))) {
    ::kill(pid_, SIGKILL);
    WaitFor(pid_, std::chrono::seconds(5));
  }
  pid_ = -1;
}

std::string SmtpServer::url() const {
  return std::string(options_.tls == Tls::kImplicit ? "smtps" : "smtp") +
         "://127.0.0.1:" + std::to_string(port_);
}

std::vector<std::string> SmtpServer::messages() const {
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(dir_ + "/maildir/new", ec), end; !ec && it != end;
       it.increment(ec)) {
    names.push_back(it->path().string());
  }
  // Python's maildir names a message "SECONDS.MMICROSECONDSPpidQcount.host", the microseconds
  // without leading zeros: ordered by name, a message of .M98765 came after one of .M102345 of
  // the same second. Ordered by those numbers, they come as they were delivered.
  const auto delivered = [](const std::string& path) {
    long long seconds = 0, micros = 0, pid = 0, count = 0;
    std::sscanf(fs::path(path).filename().c_str(), "%lld.M%lldP%lldQ%lld", &seconds, &micros, &pid,
                &count);
    return std::tuple(seconds, micros, count);
  };
  std::sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
    return delivered(a) < delivered(b);
  });
  std::vector<std::string> out;
  for (const std::string& name : names) out.push_back(ReadFile(name));
  return out;
}

}  // namespace termijn::testing
