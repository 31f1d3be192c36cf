// Integration: the health probe against a real PostgreSQL, one that is not there, one that hangs
// and one that never answers.
#include "server/jobs/health_probe.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <future>
#include <optional>
#include <string>
#include <vector>

#include "server/store/pg_probe.h"
#include "tests/integration/pg_test.h"

namespace termijn::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::chrono::milliseconds kWithin{300};
// Far beyond kWithin: a probe that has not answered by then waits for the database.
constexpr std::chrono::seconds kHangs{20};

/// `url` with its connections named `name` in pg_stat_activity.
std::string named(const std::string& url, const std::string& name) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "application_name=" + name;
}

/// The PostgreSQL process serving the connection named `name`, stopped (SIGSTOP) until resumed
/// or destroyed: a database that hangs, as on frozen storage, keeping its connections open.
class StoppedServer {
 public:
  StoppedServer(const TestDatabase& db, const std::string& name)
      : pid_(std::stoi(db.scalar("SELECT pid FROM pg_stat_activity WHERE application_name = '" +
                                 name + "'"))) {
    if (::kill(pid_, SIGSTOP) != 0) {
      throw std::runtime_error("cannot stop PostgreSQL's process " + std::to_string(pid_) + ": " +
                               std::strerror(errno) +
                               " (run the tests as root or as the cluster's owner)");
    }
  }
  ~StoppedServer() { ::kill(pid_, SIGCONT); }
  StoppedServer(const StoppedServer&) = delete;
  StoppedServer& operator=(const StoppedServer&) = delete;

 private:
  const pid_t pid_;
};

class HealthProbeTest : public PgTest {
 protected:
  std::vector<bool> reported;
  jobs::HealthProbe::Report report = [this](bool serving) { reported.push_back(serving); };
  static void no_wait(std::chrono::milliseconds, std::stop_token) {}

  jobs::HealthProbe probe_of(store::PgProbe& database) {
    return jobs::HealthProbe([&database] { return database.ping(); }, report, no_wait);
  }
};

TEST_F(HealthProbeTest, ReportsServingOnlyWhileTheDatabaseAnswers) {
  // A database that answers is SERVING; one that cannot be reached is NOT_SERVING; each change
  // is reported once, not on every check.
  store::PgProbe database(db().url());
  jobs::HealthProbe up = probe_of(database);
  EXPECT_TRUE(up.check_once());
  EXPECT_TRUE(up.check_once());
  EXPECT_EQ(reported, std::vector<bool>{true});

  store::PgProbe unreachable("postgresql:///termijn?host=/nonexistent-termijn-socket-dir");
  jobs::HealthProbe down = probe_of(unreachable);
  EXPECT_FALSE(down.check_once());
  EXPECT_FALSE(down.check_once());
  EXPECT_EQ(reported, (std::vector<bool>{true, false}));
}

TEST_F(HealthProbeTest, ReportsNotServingWhileTheDatabaseHangsAndServingWhenItAnswersAgain) {
  // A database whose process is stopped keeps the connection open and answers nothing; neither
  // the kernel nor TCP's timeouts say so. Before, the probe asked on a pooled connection and
  // waited for as long as the database hung, SERVING all the while.
  const std::string name = "health-probe-test-" + std::to_string(::getpid());
  store::PgProbe database(named(db().url(), name), kWithin);
  jobs::HealthProbe health = probe_of(database);
  ASSERT_TRUE(health.check_once());

  std::optional<StoppedServer> stopped(std::in_place, db(), name);
  auto answer = std::async(std::launch::async, [&] { return health.check_once(); });
  if (answer.wait_for(kHangs) != std::future_status::ready) {
    stopped.reset();  // lets the waiting probe return, so that the test can end
    answer.wait();
    FAIL() << "the probe waited " << kHangs.count() << " s for a database that hangs";
  }
  EXPECT_FALSE(answer.get());
  stopped.reset();

  EXPECT_TRUE(health.check_once());
  EXPECT_EQ(reported, (std::vector<bool>{true, false, true}));
}

TEST_F(HealthProbeTest, AServerThatAcceptsAndNeverAnswersIsNotServing) {
  // A socket that takes the connection and never answers PostgreSQL's startup: the probe gives
  // up within its bound instead of waiting for libpq's connect_timeout, or for ever without one.
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("termijn-mute-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string socket_path = (dir / ".s.PGSQL.5432").string();
  const int listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket_path.c_str(), sizeof address.sun_path - 1);
  ASSERT_EQ(::bind(listener, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener, 4), 0);

  store::PgProbe mute("postgresql:///termijn?host=" + dir.string(), kWithin);
  auto answer = std::async(std::launch::async, [&] { return mute.ping(); });
  const bool returned = answer.wait_for(kHangs) == std::future_status::ready;
  ::close(listener);  // resets the connection, so that a waiting probe returns
  const absl::Status status = answer.get();
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(returned) << "the probe waited " << kHangs.count() << " s for a mute server";
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(status.message().find("has not answered within 300 ms"), std::string::npos) << status;
}

}  // namespace
}  // namespace termijn::testing
