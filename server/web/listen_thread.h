#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>

namespace httplib {
class Server;
}

namespace termijn::web {

/// Runs a bound cpp-httplib server's accept loop on a thread of its own. httplib's stop() acts
/// only on a server that is already running: a stop() that came before the thread had begun to
/// listen was missed, and the thread then waited in accept() for ever (termijnd, stopping right
/// after its console started, hung on its way out). start() returns once the server runs, or
/// once its loop has ended; stop() then always ends it.
class ListenThread {
 public:
  ListenThread() = default;
  ~ListenThread() { stop(); }
  ListenThread(const ListenThread&) = delete;
  ListenThread& operator=(const ListenThread&) = delete;

  /// Serves `server`, bound already (bind_to_port), until stop(). `server` must outlive this.
  void start(httplib::Server& server);
  /// Stops the server and joins the thread; requests in progress finish. Idempotent.
  void stop();

 private:
  httplib::Server* server_ = nullptr;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable changed_;
  bool loop_ended_ = false;
};

}  // namespace termijn::web
