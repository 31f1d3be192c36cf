#include "server/store/pg_probe.h"

#include <libpq-fe.h>
#include <poll.h>

#include <cerrno>
#include <cstring>

namespace termijn::store {

namespace {

using Clock = std::chrono::steady_clock;

/// libpq's `message` without its trailing newline.
std::string trimmed(const char* message) {
  std::string text = message;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::string error_of(const PGconn* conn) {
  return trimmed(conn ? PQerrorMessage(conn) : "out of memory");
}

}  // namespace

PgProbe::PgProbe(std::string url, std::chrono::milliseconds within)
    : url_(std::move(url)), within_(within) {}

PgProbe::~PgProbe() {
  if (conn_) PQfinish(conn_);
}

absl::Status PgProbe::ping() {
  const Deadline deadline = Clock::now() + within_;
  if (conn_ && PQstatus(conn_) != CONNECTION_OK) {
    PQfinish(conn_);
    conn_ = nullptr;
  }
  if (!conn_) {
    if (absl::Status connected = connect(deadline); !connected.ok()) return connected;
  }
  return ask(deadline);
}

absl::Status PgProbe::connect(Deadline deadline) {
  // The url's own application_name, if any, wins over the fallback.
  const char* const keywords[] = {"dbname", "fallback_application_name", nullptr};
  const char* const values[] = {url_.c_str(), "termijnd health", nullptr};
  conn_ = PQconnectStartParams(keywords, values, /*expand_dbname=*/1);
  if (!conn_ || PQstatus(conn_) == CONNECTION_BAD)
    return fail("cannot connect: " + error_of(conn_));
  // PQconnectPoll's first step is as if it had asked to write.
  PostgresPollingStatusType state = PGRES_POLLING_WRITING;
  while (state != PGRES_POLLING_OK) {
    if (state == PGRES_POLLING_FAILED) return fail("cannot connect: " + error_of(conn_));
    if (absl::Status ready = wait(state == PGRES_POLLING_READING, deadline, "to connect");
        !ready.ok()) {
      return ready;
    }
    state = PQconnectPoll(conn_);
  }
  if (PQsetnonblocking(conn_, 1) != 0) return fail("cannot connect: " + error_of(conn_));
  return absl::OkStatus();
}

absl::Status PgProbe::ask(Deadline deadline) {
  if (PQsendQuery(conn_, "SELECT 1") != 1) return fail("cannot ask: " + error_of(conn_));
  for (int flushed; (flushed = PQflush(conn_)) != 0;) {
    if (flushed < 0) return fail("cannot ask: " + error_of(conn_));
    if (absl::Status ready = wait(false, deadline, "to take the question"); !ready.ok()) {
      return ready;
    }
  }
  while (PQisBusy(conn_)) {
    if (absl::Status ready = wait(true, deadline, "to answer"); !ready.ok()) return ready;
    if (PQconsumeInput(conn_) != 1) return fail("no answer: " + error_of(conn_));
  }
  bool answered = false;
  std::string refused;
  while (PGresult* result = PQgetResult(conn_)) {
    if (PQresultStatus(result) == PGRES_TUPLES_OK) {
      answered = true;
    } else {
      refused = trimmed(PQresultErrorMessage(result));
    }
    PQclear(result);
  }
  if (!answered || !refused.empty())
    return fail("the database refused a trivial statement: " + refused);
  return absl::OkStatus();
}

absl::Status PgProbe::wait(bool for_reading, Deadline deadline, const char* what) {
  if (PQsocket(conn_) < 0) return fail("no connection: " + error_of(conn_));
  pollfd socket{PQsocket(conn_), static_cast<short>(for_reading ? POLLIN : POLLOUT), 0};
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    const int ready = left > 0 ? ::poll(&socket, 1, static_cast<int>(left)) : 0;
    if (ready > 0) return absl::OkStatus();
    if (ready == 0) {
      return fail("the database has not answered within " + std::to_string(within_.count()) +
                  " ms (waiting " + what + ")");
    }
    if (errno != EINTR)
      return fail(std::string("cannot wait for the database: ") + std::strerror(errno));
  }
}

absl::Status PgProbe::fail(const std::string& what) {
  if (conn_) PQfinish(conn_);
  conn_ = nullptr;
  return absl::UnavailableError(what);
}

}  // namespace termijn::store
