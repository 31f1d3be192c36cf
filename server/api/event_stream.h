#pragma once

#include <absl/status/statusor.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stop_token>
#include <vector>

#include "server/api/authenticator.h"
#include "server/api/call_executor.h"
#include "server/api/principal.h"
#include "server/app/audit.h"
#include "server/app/queries.h"
#include "server/domain/events.h"
#include "termijn/v1/termijn.grpc.pb.h"

namespace termijn::api {

/// The events after `after_seq` that `p` may see, as it sees them (policy::view_of on each
/// event's subject), at most `limit` audit events read.
struct EventPage {
  std::vector<domain::StreamEvent> events;
  int64_t last_seq = 0;  ///< the last audit event read (seen or not); after_seq when none
  bool full = false;     ///< `limit` events were read: more may follow at once
};
absl::StatusOr<EventPage> read_events(app::AuditTrail& trail, app::Queries& queries,
                                      const Principal& p, const domain::EventFilter& filter,
                                      int64_t after_seq, int limit);

/// The open WatchEvents streams. A stream reads history in pages on the CallExecutor and writes
/// it; once caught up it holds no thread and no connection until wake() (the audit trail grew)
/// reads on. Each stream is a ServerWriteReactor with one write in flight at a time.
class EventStreams {
 public:
  EventStreams(app::AuditTrail& trail, app::Queries& queries, CallExecutor& executor)
      : trail_(trail), queries_(queries), executor_(executor) {}
  ~EventStreams();

  /// Starts a stream for `principal` (already authenticated, or the reason it is not).
  /// `recheck` authenticates the caller again before each page is read: a stream ends
  /// (UNAUTHENTICATED) once its certificate is revoked or expired or its principal is removed,
  /// and (UNAVAILABLE, to be opened again) once the principal's rights changed.
  grpc::ServerWriteReactor<v1::Event>* open(const absl::StatusOr<Principal>& principal,
                                            Authenticator::Recheck recheck,
                                            const v1::WatchEventsRequest& request);

  /// Makes every caught-up stream read on (and so authenticate its caller again).
  void wake();

  /// Ends every open stream with UNAVAILABLE (the client resumes with its last seq, here after
  /// a restart or at another termijnd) and refuses new ones. For shutdown.
  void shutdown();

  /// Until `stop`: wakes the streams after each notification `wait` reports (true), and after a
  /// timeout (false) when `head` (the trail's last seq) moved: a bounded poll in case a
  /// notification was lost with a database connection.
  void run(std::stop_token stop, const std::function<bool(std::chrono::milliseconds)>& wait,
           const std::function<int64_t()>& head);

 private:
  class Stream;
  void forget(const Stream* stream);

  app::AuditTrail& trail_;
  app::Queries& queries_;
  CallExecutor& executor_;
  std::mutex mutex_;
  std::map<const Stream*, std::weak_ptr<Stream>> streams_;
  bool stopped_ = false;
};

}  // namespace termijn::api
