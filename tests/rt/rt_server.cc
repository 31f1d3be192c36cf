#include "tests/rt/rt_server.h"

#include <curl/curl.h>
#include <google/protobuf/util/json_util.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <thread>

#include "tests/e2e/harness.h"
#include "tests/support/smtp_server.h"

namespace termijn::testing {
namespace {

std::string script() { return std::string(TERMIJN_SOURCE_DIR) + "/tests/rt/rt_instance.sh"; }

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

size_t append(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// One GET; the HTTP status (0 when RT cannot be reached) and the body.
// `method` (GET, or PUT with the JSON `request`) at `url`; the answer's status, its body in `body`.
long http(const std::string& method, const std::string& url, const std::string& token,
          const std::string& request, std::string& body) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(
      curl_slist_append(nullptr, ("Authorization: token " + token).c_str()), curl_slist_free_all);
  if (method != "GET") {
    headers.reset(curl_slist_append(headers.release(), "Content-Type: application/json"));
    curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, method.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, request.c_str());
  }
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, &append);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  long code = 0;
  if (curl_easy_perform(curl.get()) == CURLE_OK) {
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &code);
  }
  return code;
}

}  // namespace

RtServer::RtServer() {
  dir_ = MakeTempDir("termijn-rt");
  port_ = FreePort();
  const auto begin = std::chrono::steady_clock::now();
  const Outcome setup = run_command({script(), "setup", dir_, std::to_string(port_)});
  if (setup.exit_code != 0) {
    throw std::runtime_error("rt_instance.sh setup failed: " + setup.err);
  }
  token_ = ReadFile(token_file());
  while (!token_.empty() && (token_.back() == '\n' || token_.back() == '\r')) token_.pop_back();
  setup_seconds_ = seconds_since(begin);
  const auto started = std::chrono::steady_clock::now();
  start();
  start_seconds_ = seconds_since(started);
}

RtServer::~RtServer() {
  stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void RtServer::start() {
  if (pid_ > 0) return;
  pid_ = spawn_process({script(), "serve", dir_, std::to_string(port_)}, {}, dir_ + "/server.out",
                       dir_ + "/server.err");
  const bool up = poll_until(
      [&] {
        std::string body;
        return http("GET", url() + "/REST/2.0/queues/all", token_, "", body) == 200;
      },
      std::chrono::seconds(60));
  if (!up) {
    throw std::runtime_error("RT did not come up on " + url() + ": " +
                             ReadFile(dir_ + "/server.err"));
  }
}

void RtServer::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

google::protobuf::Struct RtServer::get(const std::string& path) const {
  std::string body;
  const long code = http("GET", url() + "/REST/2.0/" + path, token_, "", body);
  if (code != 200) {
    throw std::runtime_error("RT answered GET " + path + " with " + std::to_string(code) + ": " +
                             body);
  }
  google::protobuf::Struct object;
  if (!google::protobuf::util::JsonStringToMessage(body, &object).ok()) {
    throw std::runtime_error("RT answered GET " + path + " with no JSON object: " + body);
  }
  return object;
}

int64_t RtServer::hidden_ticket() const { return std::stoll(ReadFile(dir_ + "/hidden-ticket")); }

void RtServer::put(const std::string& path, const std::string& json) const {
  std::string body;
  const long code = http("PUT", url() + "/REST/2.0/" + path, token_, json, body);
  if (code != 200) {
    throw std::runtime_error("RT answered PUT " + path + " with " + std::to_string(code) + ": " +
                             body);
  }
}

std::string text_at(const google::protobuf::Struct& object, const std::string& key) {
  const auto it = object.fields().find(key);
  if (it == object.fields().end()) return "";
  if (it->second.has_number_value()) {
    return std::to_string(static_cast<long long>(it->second.number_value()));
  }
  return it->second.string_value();
}

}  // namespace termijn::testing
