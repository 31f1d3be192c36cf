// Load generator for scripts/faults (not a test): keeps CLIENTS ReportIncident calls in flight
// against termijnd while the script breaks things, and logs every acknowledged call.
//
//   fault_load --address HOST:PORT[,HOST:PORT...] --certs DIR --log FILE [--clients 8]
//              [--health-log FILE] [--count N] [--aware-ago SECONDS]
//
// With several addresses (several termijnd on one database), client i calls address i mod n.
// --count: stop after N acknowledged calls. --aware-ago: each incident's awareness is that long
// before the call (so that reminder steps fall due while the suite watches).
//
// Each call carries a fresh request_id (AIP-155); a call that fails with UNAVAILABLE,
// DEADLINE_EXCEEDED or ABORTED (termijnd killed, the database restarting) is retried with the
// same request_id until it is acknowledged, as the CLI does. Every acknowledgement is appended to
// FILE as "request_id incident-name epoch-ms", flushed at once. With --health-log, the answer of
// grpc.health.v1.Health/Check is polled every 100 ms and each change is logged as
// "epoch-ms SERVING|NOT_SERVING|ERROR". SIGTERM: stop starting new calls, finish
// the ones in flight (retrying them), print the counts and exit.
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <future>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "termijn/v1/termijn.grpc.pb.h"

namespace {

namespace v1 = termijn::v1;

std::atomic<bool> stopping{false};

void on_term(int) { stopping = true; }

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string new_uuid(std::mt19937_64& random) {
  const uint64_t a = random(), b = random();
  char text[40];
  std::snprintf(text, sizeof text, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return text;
}

int64_t epoch_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// SERVING, NOT_SERVING or ERROR (no answer within a second).
std::string health(grpc::GenericStub& stub) {
  const grpc::Slice empty;
  const grpc::ByteBuffer request(&empty, 1);  // HealthCheckRequest{service: ""}
  grpc::ByteBuffer response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
  std::promise<grpc::Status> done;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", {}, &request, &response,
                 [&done](grpc::Status s) { done.set_value(s); });
  if (!done.get_future().get().ok()) return "ERROR";
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (response.Dump(&slices).ok()) {
    for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return bytes == std::string("\x08\x01", 2) ? "SERVING" : "NOT_SERVING";
}

// "2026-11-30T08:00:00Z".
std::string rfc3339_utc(int64_t epoch_seconds) {
  const std::time_t t = epoch_seconds;
  std::tm utc{};
  gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

bool retryable(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED ||
         code == grpc::StatusCode::ABORTED;
}

}  // namespace

int main(int argc, char** argv) {
  std::string addresses, certs, log_file, health_file;
  int clients = 8;
  int64_t count = 0, aware_ago = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--address") addresses = value;
    else if (flag == "--certs") certs = value;
    else if (flag == "--log") log_file = value;
    else if (flag == "--clients") clients = std::stoi(value);
    else if (flag == "--health-log") health_file = value;
    else if (flag == "--count") count = std::stoll(value);
    else if (flag == "--aware-ago") aware_ago = std::stoll(value);
  }
  if (addresses.empty() || certs.empty() || log_file.empty()) {
    std::fprintf(stderr, "usage: fault_load --address HOST:PORT --certs DIR --log FILE\n");
    return 2;
  }
  ::signal(SIGTERM, on_term);
  ::signal(SIGINT, on_term);
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = read_file(certs + "/ca.crt");
  ssl.pem_cert_chain = read_file(certs + "/herent-reporter.crt");
  ssl.pem_private_key = read_file(certs + "/herent-reporter.key");
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<v1::Termijn::Stub>> stubs;
  for (size_t start = 0; start <= addresses.size();) {
    const size_t end = std::min(addresses.find(',', start), addresses.size());
    channels.push_back(
        grpc::CreateChannel(addresses.substr(start, end - start), grpc::SslCredentials(ssl)));
    stubs.push_back(v1::Termijn::NewStub(channels.back()));
    start = end + 1;
  }

  FILE* log = std::fopen(log_file.c_str(), "a");
  if (!log) {
    std::perror(log_file.c_str());
    return 1;
  }
  std::mutex log_mutex;
  std::atomic<int64_t> acknowledged{0}, retries{0}, failed{0};
  std::vector<std::thread> workers;
  for (int c = 0; c < clients; ++c) {
    workers.emplace_back([&, c] {
      v1::Termijn::Stub* const stub = stubs[c % stubs.size()].get();
      std::mt19937_64 random(std::random_device{}() ^ (static_cast<uint64_t>(c) << 32));
      while (!stopping) {
        v1::ReportIncidentRequest request;
        request.set_party("herent");
        request.set_title("Fault-suite incident");
        request.set_description("Reported while the suite breaks things.");
        request.add_categories(v1::DATA_CATEGORY_IDENTIFICATION);
        request.add_subject_groups(v1::SUBJECT_GROUP_CLIENTS);
        request.set_request_id(new_uuid(random));
        if (aware_ago > 0) request.set_aware_time(rfc3339_utc(epoch_ms() / 1000 - aware_ago));
        // The same request until it is answered: a retry with its request_id stores nothing twice.
        for (int attempt = 0;; ++attempt) {
          grpc::ClientContext context;
          context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
          context.set_wait_for_ready(attempt > 0);
          v1::Incident incident;
          const grpc::Status status = stub->ReportIncident(&context, request, &incident);
          if (status.ok()) {
            std::lock_guard<std::mutex> lock(log_mutex);
            std::fprintf(log, "%s %s %lld\n", request.request_id().c_str(),
                         incident.name().c_str(), static_cast<long long>(epoch_ms()));
            std::fflush(log);
            if (++acknowledged == count) stopping = true;
            break;
          }
          if (!retryable(status.error_code()) || attempt >= 600) {
            std::fprintf(stderr, "fault_load: %s failed for good: %d %s\n",
                         request.request_id().c_str(), status.error_code(),
                         status.error_message().c_str());
            ++failed;
            break;
          }
          ++retries;
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
      }
    });
  }
  if (!health_file.empty()) {
    workers.emplace_back([&] {
      grpc::GenericStub generic(channels.front());
      std::ofstream out(health_file, std::ios::app);
      std::string last;
      while (!stopping) {
        const std::string now = health(generic);
        if (now != last) out << epoch_ms() << ' ' << now << std::endl;
        last = now;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    });
  }
  for (auto& w : workers) w.join();
  std::fclose(log);
  std::printf("fault_load: %lld acknowledged, %lld retries, %lld failed for good\n",
              static_cast<long long>(acknowledged), static_cast<long long>(retries),
              static_cast<long long>(failed));
  return failed == 0 ? 0 : 1;
}
