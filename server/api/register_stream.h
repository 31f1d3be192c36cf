#pragma once

#include <absl/status/status.h>
#include <absl/status/statusor.h>
#include <grpcpp/grpcpp.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "server/api/call_executor.h"
#include "server/api/status.h"
#include "server/app/call_deadline.h"

namespace termijn::api {

/// Streams a register to one caller, page by page: a page is read on the executor (a short read
/// of its own), its entries are written one at a time, and only when the last one is written is
/// the next page read. One write is in flight at a time, so gRPC's flow control sets the pace; a
/// slow reader holds one page in memory and no database connection.
///
/// Exactly one of "a write in flight" and "a read queued or running" holds until the stream
/// finishes, so that OnDone (which deletes the reactor) never races either.
template <typename Entry>
class RegisterStream final : public grpc::ServerWriteReactor<Entry> {
 public:
  /// Reads the next page (empty when there is none); sets `more` when another may follow.
  using NextPage = std::function<absl::StatusOr<std::vector<Entry>>(bool& more)>;

  /// Starts the stream, or finishes it at once with `refused` when that is not OK. The reactor
  /// deletes itself when gRPC is done with it.
  static RegisterStream* start(grpc::CallbackServerContext* ctx, const char* method,
                               std::string principal, CallExecutor& executor,
                               const absl::Status& refused, NextPage next) {
    auto* stream = new RegisterStream(ctx, method, std::move(principal), executor, std::move(next));
    if (!refused.ok()) {
      stream->finish(refused);
    } else {
      stream->read_next_page();
    }
    return stream;
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      finish(absl::CancelledError("the client stopped reading"));
    } else if (++sent_, ++written_ < page_.size()) {
      this->StartWrite(&page_[written_]);
    } else if (more_) {
      read_next_page();
    } else {
      finish(absl::OkStatus());
    }
  }

  void OnDone() override { delete this; }

 private:
  RegisterStream(grpc::CallbackServerContext* ctx, const char* method, std::string principal,
                 CallExecutor& executor, NextPage next)
      : ctx_(ctx),
        method_(method),
        principal_(std::move(principal)),
        executor_(executor),
        next_(std::move(next)) {}

  void read_next_page() {
    if (!executor_.post([this] { read_page(); })) {
      spdlog::warn("{}: refused, too many calls waiting", method_);
      finish(absl::ResourceExhaustedError(
          "the server is overloaded: too many calls waiting; retry later"));
    }
  }

  // On the executor: reads and converts a page under the call's deadline, then writes its
  // first entry.
  void read_page() {
    const auto deadline = ctx_->deadline();
    const bool has_deadline = deadline != std::chrono::system_clock::time_point::max();
    if (ctx_->IsCancelled()) return finish(absl::CancelledError("the call was cancelled"));
    if (has_deadline && deadline <= std::chrono::system_clock::now()) {
      return finish(absl::DeadlineExceededError("the call's deadline passed"));
    }
    absl::StatusOr<std::vector<Entry>> page;
    {
      const app::CallDeadline scope(has_deadline ? std::optional(deadline) : std::nullopt);
      try {
        page = next_(more_);
      } catch (const std::exception& e) {
        spdlog::error("{}: unexpected exception: {}", method_, e.what());
        page = absl::InternalError("internal error (details in the server log)");
      }
    }
    if (!page.ok()) return finish(page.status());
    page_ = std::move(*page);
    written_ = 0;
    if (page_.empty()) return finish(absl::OkStatus());
    this->StartWrite(&page_[0]);
  }

  void finish(const absl::Status& status) {
    // Ids and counts only: the register's content is personal data and stays out of the log.
    spdlog::info("{} by {}: {} ({} records sent)", method_, principal_,
                 status.ok() ? "OK" : absl::StatusCodeToString(status.code()), sent_);
    this->Finish(to_grpc(status));
  }

  grpc::CallbackServerContext* const ctx_;
  const char* const method_;
  const std::string principal_;
  CallExecutor& executor_;
  NextPage next_;
  std::vector<Entry> page_;
  size_t written_ = 0;  ///< entries of page_ whose write completed
  size_t sent_ = 0;     ///< entries whose write completed, of every page
  bool more_ = false;
};

}  // namespace termijn::api
