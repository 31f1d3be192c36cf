#include "server/api/event_stream.h"

#include <spdlog/spdlog.h>

#include <deque>
#include <optional>
#include <tuple>

#include "server/api/convert.h"
#include "server/api/status.h"

namespace termijn::api {

namespace {

// Audit events read per page: a page is one short read on the executor.
constexpr int kPage = 200;

// The outbox's mails about the trail and the webhooks themselves (checkpoint mails, their
// failure alerts, webhook alerts) stay off the stream, related as they are to no record: a
// webhook alert delivered to the endpoint whose failure it reports would fail there too and
// raise another alert, without end.
bool about_outbox_mail_without_record(const domain::AuditRecord& e) {
  return domain::record_name(e.subject).collection == "notifications" &&
         (e.related.starts_with("auditCheckpoints/") || e.related.starts_with("webhooks/"));
}

}  // namespace

absl::StatusOr<EventPage> read_events(app::AuditTrail& trail, app::Queries& queries,
                                      const Principal& p, const domain::EventFilter& filter,
                                      int64_t after_seq, int limit) {
  auto audit =
      trail.list({.subject = filter.subject, .after_seq = after_seq, .limit = limit, .viewer = ""});
  // Read in full here: which events the caller sees is decided per record below.
  if (!audit.ok()) return audit.status();
  EventPage page;
  page.last_seq = audit->empty() ? after_seq : audit->back().record.seq;
  page.full = static_cast<int>(audit->size()) == limit;
  // A page names few records, each many times.
  std::map<std::string, absl::StatusOr<app::RecordParties>> parties;
  for (const app::AuditEvent& e : *audit) {
    if (about_outbox_mail_without_record(e.record)) continue;
    const std::string& subject = e.record.subject;
    const domain::RecordName name = domain::record_name(subject);
    auto found = parties.find(subject);
    if (found == parties.end()) {
      // Events that name no record (none so far) are the auditors' alone.
      auto of = name.id == 0 ? absl::StatusOr<app::RecordParties>(absl::NotFoundError(subject))
                             : queries.parties_of(name.collection, name.id);
      found = parties.emplace(subject, std::move(of)).first;
    }
    const absl::StatusOr<app::RecordParties>& of = found->second;
    std::optional<app::View> view;
    if (name.id == 0) {
      if (p.auditor) view = app::View::kFull;
    } else {
      const auto v = policy::view_of(p, of, subject);
      if (v.ok()) {
        view = *v;
      } else if (v.status().code() != absl::StatusCode::kNotFound) {
        return v.status();  // the database failed, not the policy
      }
    }
    if (!view) continue;
    domain::StreamEvent event = domain::event_of(e.record, of.ok() ? of->owner : e.record.party);
    if (!domain::matches(filter, event)) continue;
    if (*view == app::View::kNotified) {
      if (!domain::notified_party_sees(event)) continue;
      event = domain::notified_view(std::move(event));
    }
    page.events.push_back(std::move(event));
  }
  return page;
}

class EventStreams::Stream final : public grpc::ServerWriteReactor<v1::Event>,
                                   public std::enable_shared_from_this<Stream> {
 public:
  Stream(EventStreams& hub, Principal principal, Authenticator::Recheck recheck, int64_t after_seq,
         domain::EventFilter filter)
      : hub_(hub),
        principal_(std::move(principal)),
        recheck_(std::move(recheck)),
        filter_(std::move(filter)),
        after_seq_(after_seq) {}

  /// Starts reading; `self` keeps the stream until OnDone.
  void begin(std::shared_ptr<Stream> self) {
    {
      std::lock_guard lock(mutex_);
      self_ = std::move(self);
      state_ = State::kFetching;
    }
    post_fetch();
  }

  /// Finishes at once with `status`, without reading; `self` keeps the stream until OnDone.
  void refuse(std::shared_ptr<Stream> self, const grpc::Status& status) {
    {
      std::lock_guard lock(mutex_);
      self_ = std::move(self);
      finish_wanted_ = true;
      state_ = State::kFinished;
    }
    Finish(status);
  }

  void wake() {
    {
      std::lock_guard lock(mutex_);
      if (state_ != State::kIdle) {
        dirty_ = true;  // read on after the read or writes in progress
        return;
      }
      state_ = State::kFetching;
    }
    post_fetch();
  }

  /// Finishes the call with `status` once no write is in flight.
  void end(const grpc::Status& status) {
    {
      std::lock_guard lock(mutex_);
      if (finish_wanted_) return;
      finish_wanted_ = true;
      status_ = status;
      if (state_ == State::kWriting) return;  // OnWriteDone finishes
      state_ = State::kFinished;
    }
    Finish(status);
  }

  void OnWriteDone(bool ok) override {
    enum { kFinish, kWrite, kFetch } next;
    grpc::Status status;
    // Also between the events of a page read before a revocation, not only before the next read.
    const absl::Status refused = ok ? still_authenticated() : absl::OkStatus();
    {
      std::lock_guard lock(mutex_);
      if (!ok && !finish_wanted_) {
        finish_wanted_ = true;
        status_ = grpc::Status(grpc::StatusCode::CANCELLED, "the client stopped reading");
      }
      if (!refused.ok() && !finish_wanted_) {
        spdlog::info("WatchEvents by {} ends after {}: {}", principal_.name, sent_seq_,
                     std::string(refused.message()));
        finish_wanted_ = true;
        status_ = to_grpc(refused);
      }
      if (finish_wanted_) {
        state_ = State::kFinished;
        status = status_;
        next = kFinish;
      } else if (!pending_.empty()) {
        current_ = std::move(pending_.front());
        pending_.pop_front();
        sent_seq_ = current_.seq();
        next = kWrite;
      } else {
        state_ = State::kFetching;
        next = kFetch;
      }
    }
    if (next == kFinish) {
      Finish(status);
    } else if (next == kWrite) {
      StartWrite(&current_);
    } else {
      post_fetch();
    }
  }

  void OnCancel() override { end(grpc::Status::CANCELLED); }

  void OnDone() override {
    hub_.forget(this);
    std::shared_ptr<Stream> self;
    {
      std::lock_guard lock(mutex_);
      self = std::move(self_);
    }
    // `self` may be the last reference: the stream ends here, unless a read still holds it.
  }

 private:
  enum class State { kFetching, kWriting, kIdle, kFinished };

  void post_fetch() {
    if (!hub_.executor_.post([self = shared_from_this()] { self->fetch(); })) {
      end(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                       "the server is busy or shutting down; resume with since_seq=" +
                           std::to_string(last_sent())));
    }
  }

  int64_t last_sent() {
    std::lock_guard lock(mutex_);
    return sent_seq_;
  }

  // On the executor: reads a page after the last event read, then writes what it found.
  void fetch() {
    int64_t after = 0;
    {
      std::lock_guard lock(mutex_);
      if (finish_wanted_) return;
      after = after_seq_;
      dirty_ = false;
    }
    if (const absl::Status refused = still_authenticated(); !refused.ok()) {
      spdlog::info("WatchEvents by {} ends after {}: {}", principal_.name, after,
                   std::string(refused.message()));
      end(to_grpc(refused));
      return;
    }
    const auto page = read_events(hub_.trail_, hub_.queries_, principal_, filter_, after, kPage);
    if (!page.ok()) {
      spdlog::warn("WatchEvents by {}: {}", principal_.name, page.status().ToString());
      end(to_grpc(page.status()));
      return;
    }
    enum { kNothing, kWrite, kFetch } next = kNothing;
    {
      std::lock_guard lock(mutex_);
      if (finish_wanted_) return;
      after_seq_ = page->last_seq;
      for (const domain::StreamEvent& e : page->events) to_proto(e, &pending_.emplace_back());
      if (!pending_.empty()) {
        current_ = std::move(pending_.front());
        pending_.pop_front();
        sent_seq_ = current_.seq();
        state_ = State::kWriting;
        next = kWrite;
      } else if (page->full || dirty_) {
        next = kFetch;
      } else {
        state_ = State::kIdle;
      }
    }
    if (next == kWrite) {
      StartWrite(&current_);
    } else if (next == kFetch) {
      post_fetch();
    }
  }

  // Whether the caller still is the principal the stream was opened for, with the same rights.
  absl::Status still_authenticated() {
    if (!recheck_) return absl::OkStatus();
    const absl::StatusOr<Principal> now = recheck_();
    if (!now.ok()) return now.status();
    const auto rights = [](const Principal& p) {
      return std::tie(p.name, p.party, p.reporter, p.dpo, p.auditor);
    };
    if (rights(*now) != rights(principal_)) {
      return absl::UnavailableError(
          "the principal's rights changed since the stream was opened; open it again (resume "
          "with since_seq=" +
          std::to_string(last_sent()) + ")");
    }
    return absl::OkStatus();
  }

  EventStreams& hub_;
  const Principal principal_;
  const Authenticator::Recheck recheck_;
  const domain::EventFilter filter_;
  std::mutex mutex_;
  State state_ = State::kFetching;
  bool dirty_ = false;
  bool finish_wanted_ = false;
  grpc::Status status_;
  int64_t after_seq_;     ///< the last audit event read
  int64_t sent_seq_ = 0;  ///< the last event handed to gRPC
  std::deque<v1::Event> pending_;
  v1::Event current_;  ///< the event in flight; gRPC reads it until OnWriteDone
  std::shared_ptr<Stream> self_;
};

EventStreams::~EventStreams() { shutdown(); }

grpc::ServerWriteReactor<v1::Event>* EventStreams::open(const absl::StatusOr<Principal>& principal,
                                                        Authenticator::Recheck recheck,
                                                        const v1::WatchEventsRequest& request) {
  domain::EventFilter filter{{request.filter().types().begin(), request.filter().types().end()},
                             request.filter().subject()};
  absl::Status refused = principal.status();
  if (refused.ok()) refused = policy::may_read_audit(*principal);
  if (refused.ok() && request.since_seq() < 0) {
    refused = absl::InvalidArgumentError("since_seq: must not be negative");
  }
  if (refused.ok()) {
    if (const std::string error = domain::filter_error(filter); !error.empty()) {
      refused = absl::InvalidArgumentError(error);
    }
  }
  auto stream =
      std::make_shared<Stream>(*this, principal.ok() ? *principal : Principal{}, std::move(recheck),
                               request.since_seq(), std::move(filter));
  {
    std::lock_guard lock(mutex_);
    if (refused.ok() && stopped_) {
      refused = absl::UnavailableError("the server is shutting down; resume with since_seq=" +
                                       std::to_string(request.since_seq()));
    }
    if (refused.ok()) streams_[stream.get()] = stream;
  }
  spdlog::info("WatchEvents by {} after {}: {}",
               principal.ok() ? principal->name : "(unauthenticated)", request.since_seq(),
               refused.ok() ? "streaming" : absl::StatusCodeToString(refused.code()));
  if (refused.ok()) {
    stream->begin(stream);
  } else {
    stream->refuse(stream, to_grpc(refused));
  }
  return stream.get();
}

void EventStreams::wake() {
  std::vector<std::shared_ptr<Stream>> open;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, weak] : streams_) {
      if (auto s = weak.lock()) open.push_back(std::move(s));
    }
  }
  for (const auto& s : open) s->wake();
}

void EventStreams::shutdown() {
  std::vector<std::shared_ptr<Stream>> open;
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    for (const auto& [key, weak] : streams_) {
      if (auto s = weak.lock()) open.push_back(std::move(s));
    }
  }
  for (const auto& s : open) {
    s->end(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "the server is shutting down; resume with the last seq received"));
  }
}

void EventStreams::forget(const Stream* stream) {
  std::lock_guard lock(mutex_);
  streams_.erase(stream);
}

void EventStreams::run(std::stop_token stop,
                       const std::function<bool(std::chrono::milliseconds)>& wait,
                       const std::function<int64_t()>& head) {
  constexpr std::chrono::milliseconds kPoll{2000};
  int64_t known = head();
  while (!stop.stop_requested()) {
    if (wait(kPoll)) {
      wake();
      continue;
    }
    if (const int64_t now = head(); now != known) {
      known = now;
      wake();
    }
  }
}

}  // namespace termijn::api
