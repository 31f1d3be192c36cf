#pragma once

#include <google/protobuf/struct.pb.h>
#include <sys/types.h>

#include <string>

namespace termijn::testing {

/// A real Request Tracker 5 for one test (tests/rt/rt_instance.sh): SQLite database and
/// standalone web server in a fresh temporary directory, on 127.0.0.1 and a free port, with the
/// queue "Privacy", the ticket custom field "Termijn record" and a user "termijn" whose auth
/// token is in token_file() (0600). The constructor returns once RT answers; the destructor stops
/// it and removes the directory.
class RtServer {
 public:
  RtServer();
  ~RtServer();
  RtServer(const RtServer&) = delete;
  RtServer& operator=(const RtServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string token_file() const { return dir_ + "/token"; }
  /// A ticket of another queue that the termijn user may not see.
  int64_t hidden_ticket() const;
  const std::string& dir() const { return dir_; }
  /// How long making the database took, and starting the server the first time (seconds).
  double setup_seconds() const { return setup_seconds_; }
  double start_seconds() const { return start_seconds_; }

  /// Stops the web server (RT is then down); start() brings it back on the same port.
  void stop();
  void start();

  /// GET /REST/2.0/`path` as the termijn user, read independently of the connector's client;
  /// throws unless RT answers 200 with a JSON object.
  google::protobuf::Struct get(const std::string& path) const;
  /// PUT /REST/2.0/`path` with the JSON object `json` as the termijn user; throws unless 200.
  void put(const std::string& path, const std::string& json) const;

 private:
  std::string dir_;
  std::string token_;
  int port_ = 0;
  pid_t pid_ = -1;
  double setup_seconds_ = 0;
  double start_seconds_ = 0;
};

/// The string at `key` of `object` ("" when absent); numbers as integers.
std::string text_at(const google::protobuf::Struct& object, const std::string& key);

}  // namespace termijn::testing
