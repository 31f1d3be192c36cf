#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "tests/support/temp_dir.h"

namespace termijn::testing {

/// A real SMTP server for one test: /usr/bin/python3 -m aiosmtpd (Debian's python3-aiosmtpd)
/// on 127.0.0.1 and a free port, delivering into a maildir in a fresh temporary directory. The
/// constructor returns once the port accepts connections (it throws if the server does not come
/// up); the destructor stops the server and removes the directory.
class SmtpServer {
 public:
  enum class Tls { kNone, kStartTls, kImplicit };
  struct Options {
    Tls tls = Tls::kNone;
    std::string cert_file;  ///< PEM, for kStartTls and kImplicit
    std::string key_file;
    std::string handler = "aiosmtpd.handlers.Mailbox";  ///< or "termijn_test_smtp.RejectingMailbox"
    int port = 0;  ///< 0: a free one; else this one (e.g. one a server under test already uses)
  };

  SmtpServer() : SmtpServer(Options{}) {}
  explicit SmtpServer(Options options);
  ~SmtpServer();
  SmtpServer(const SmtpServer&) = delete;
  SmtpServer& operator=(const SmtpServer&) = delete;

  int port() const { return port_; }
  /// "smtp://127.0.0.1:PORT" (or smtps:// for kImplicit).
  std::string url() const;
  /// The server's own directory: the maildir is "maildir" in it; the test handlers keep their
  /// control files here.
  const std::string& dir() const { return dir_; }
  /// The delivered messages (maildir "new"), in the order they were delivered.
  std::vector<std::string> messages() const;
  /// Stops the server now (idempotent); messages() still works afterwards.
  void stop();

 private:
  Options options_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

/// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
int FreePort();

/// Writes a self-signed certificate for 127.0.0.1 / localhost (openssl req -x509) into `dir`
/// as cert.pem and key.pem.
void MakeSelfSignedCertificate(const std::string& dir);

std::string ReadFile(const std::string& path);

}  // namespace termijn::testing
