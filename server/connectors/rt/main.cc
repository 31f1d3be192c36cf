// termijn-rt: keeps Request Tracker tickets in step with Termijn's event stream. Runs beside
// termijnd as a client of WatchEvents; see the README, "Request Tracker".
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>

#include "proto/channel_keepalive.h"
#include "server/config/files.h"
#include "server/connectors/rt/config.h"
#include "server/connectors/rt/connector.h"
#include "server/connectors/rt/grpc_termijn_reader.h"
#include "server/connectors/rt/rt_client.h"
#include "server/connectors/rt/state_file.h"
#include "server/domain/retry.h"
#include "termijn/v1/termijn.grpc.pb.h"

namespace termijn::rt {
namespace {

// Stop requests from the signal thread, and the stream they must cancel.
class Stopper {
 public:
  void stop() {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    if (call_ != nullptr) call_->TryCancel();
    wake_.notify_all();
  }
  bool stopped() {
    std::lock_guard lock(mutex_);
    return stopped_;
  }
  void watch(grpc::ClientContext* call) {
    std::lock_guard lock(mutex_);
    call_ = call;
    if (stopped_ && call_ != nullptr) call_->TryCancel();
  }
  /// Waits `delay` or until stopped.
  void wait(std::chrono::seconds delay) {
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, delay, [this] { return stopped_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopped_ = false;
  grpc::ClientContext* call_ = nullptr;
};

Event event_of(const v1::Event& e) {
  return {.seq = e.seq(),
          .type = e.type(),
          .time = from_proto(e.time()),
          .subject = e.subject(),
          .related = e.related(),
          .party = e.party(),
          .principal = e.principal(),
          .details_json = e.details_json()};
}

int run(const ConnectorConfig& config) {
  // SIGTERM and SIGINT stop the connector between events; handled on a thread of their own.
  // Blocked before gRPC starts its threads, which inherit the mask: otherwise one of them could
  // take the signal, and its default action would end the process in the middle of an event.
  static sigset_t signals;
  static Stopper stopper;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::thread([] {
    int signal = 0;
    sigwait(&signals, &signal);
    spdlog::info("stopping on signal {}", signal);
    stopper.stop();
  }).detach();

  const StateFile file(config.state_file);
  auto state = file.load();
  if (!state.ok()) {
    std::cerr << "termijn-rt: " << state.status().message() << "\n";
    return 2;
  }
  // The state file's folder must be writable before the first event, not after it.
  if (auto saved = file.save(*state); !saved.ok()) {
    std::cerr << "termijn-rt: connector.state_file: " << saved.message() << "\n";
    return 2;
  }
  grpc::SslCredentialsOptions ssl;
  try {
    ssl.pem_root_certs = termijn::config::read_file_at_start(config.ca, "termijn.ca");
    ssl.pem_cert_chain = termijn::config::read_file_at_start(config.cert, "termijn.cert");
    ssl.pem_private_key = termijn::config::read_file_at_start(config.key, "termijn.key");
  } catch (const std::exception& e) {
    std::cerr << "termijn-rt: " << e.what() << "\n";
    return 2;
  }
  grpc::ChannelArguments args;
  set_keepalive(args, config.keepalive_seconds);
  auto channel = grpc::CreateCustomChannel(config.server, grpc::SslCredentials(ssl), args);
  auto stub = v1::Termijn::NewStub(channel);
  RestRtClient rt(config.rt);
  GrpcTermijnReader termijn(*stub);
  RtConnector connector(rt, termijn, file, *state, config.options);

  const domain::RetryPolicy policy{
      .max_attempts = 0,
      .initial_delay = std::chrono::seconds(config.retry_initial_seconds),
      .max_delay = std::chrono::seconds(config.retry_max_seconds)};
  std::mt19937 random(std::random_device{}());
  std::uniform_real_distribution<double> jitter(0.0, 1.0);
  int failures = 0;
  spdlog::info("termijn-rt: following {} from event {} into {} queue {}", config.server,
               connector.position(), config.rt.base_url, config.rt.queue);
  while (!stopper.stopped()) {
    grpc::ClientContext call;
    stopper.watch(&call);
    v1::WatchEventsRequest request;
    request.set_since_seq(connector.position());
    for (const std::string& type : followed_event_types())
      request.mutable_filter()->add_types(type);
    auto stream = stub->WatchEvents(&call, request);
    v1::Event event;
    absl::Status failed;
    while (stream->Read(&event)) {
      failed = connector.apply(event_of(event));
      if (!failed.ok()) {
        spdlog::warn("event {} ({} {}) not applied yet: {}", event.seq(), event.type(),
                     event.subject(), failed.ToString());
        call.TryCancel();
        break;
      }
      spdlog::debug("event {} applied", event.seq());
      failures = 0;
    }
    const grpc::Status finished = stream->Finish();
    stopper.watch(nullptr);
    if (stopper.stopped()) break;
    if (failed.ok()) {
      spdlog::warn("event stream ended ({}): {}; reconnecting",
                   static_cast<int>(finished.error_code()), finished.error_message());
    }
    ++failures;
    stopper.wait(domain::retry_delay(policy, failures, jitter(random)));
  }
  spdlog::info("termijn-rt: stopped at event {}", connector.position());
  return 0;
}

}  // namespace
}  // namespace termijn::rt

int main(int argc, char** argv) {
  CLI::App app{"termijn-rt: keeps Request Tracker tickets in step with Termijn's events"};
  std::string config_path;
  app.add_option("-c,--config", config_path, "the TOML configuration file")->required();
  CLI11_PARSE(app, argc, argv);
  auto config = termijn::rt::load_config(config_path);
  if (!config.ok()) {
    std::cerr << "termijn-rt: " << config.status().message() << "\n";
    return 2;
  }
  return termijn::rt::run(*config);
}
