#include "server/web/listen_thread.h"

#include <httplib.h>

#include <chrono>

namespace termijn::web {

void ListenThread::start(httplib::Server& server) {
  server_ = &server;
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    const std::lock_guard lock(mutex_);
    loop_ended_ = true;
    changed_.notify_all();
  });
  // httplib tells nobody when its loop begins: is_running() is asked again every millisecond,
  // for the few microseconds a thread takes to start.
  std::unique_lock lock(mutex_);
  while (!loop_ended_ && !server.is_running()) {
    changed_.wait_for(lock, std::chrono::milliseconds(1));
  }
}

void ListenThread::stop() {
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace termijn::web
