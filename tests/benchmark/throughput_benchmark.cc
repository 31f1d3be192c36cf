// Benchmark (not a test): termijnd's throughput over gRPC with mutual TLS against what PostgreSQL
// does with the same statements through pgbench, in one run, as a ratio.
//
//   throughput_benchmark --address HOST:PORT --certs DIR --database-url URL --pgbench-dir DIR
//       --termijnd-pid PID --postgres-pid PID [--seconds N] [--clients 8,32] [--rpcs A,B]
//   throughput_benchmark --address HOST:PORT --certs DIR --capture
//
// For each client count and RPC: N seconds of a callback client keeping that many calls in
// flight, then N seconds of `pgbench -M prepared` running the RPC's transaction with as many
// clients (the scripts in --pgbench-dir: the statements termijnd ran for one call of each RPC,
// made with --capture while PostgreSQL logged every statement; see scripts/bench). Writes are
// followed by a wait until the background work they caused (notices, reminder steps, audit
// sequencing) is done; its commits and WAL count towards the call. pgbench logs each
// transaction (-l) so that its p50 and p99 stand next to termijnd's.
#include <absl/synchronization/mutex.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "termijn/v1/termijn.grpc.pb.h"

namespace {

namespace v1 = termijn::v1;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string address, certs, database_url, pgbench_dir, principal = "herent-dpo";
  pid_t termijnd_pid = 0, postgres_pid = 0;
  int seconds = 10;
  std::vector<int> clients{8, 32};
  std::vector<std::string> rpcs;  ///< empty: all of them
  bool capture = false;           ///< one call of each RPC, in order, and no phases
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr, "throughput_benchmark: %s\n", why.c_str());
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--capture") {
      o.capture = true;
      continue;
    }
    if (i + 1 == argc) usage(flag + " needs a value");
    const std::string value = argv[++i];
    if (flag == "--address") o.address = value;
    else if (flag == "--certs") o.certs = value;
    else if (flag == "--database-url") o.database_url = value;
    else if (flag == "--pgbench-dir") o.pgbench_dir = value;
    else if (flag == "--termijnd-pid") o.termijnd_pid = std::stoi(value);
    else if (flag == "--postgres-pid") o.postgres_pid = std::stoi(value);
    else if (flag == "--seconds") o.seconds = std::stoi(value);
    else if (flag == "--clients") {
      o.clients.clear();
      std::stringstream s(value);
      for (std::string c; std::getline(s, c, ',');) o.clients.push_back(std::stoi(c));
    } else if (flag == "--rpcs") {
      std::stringstream s(value);
      for (std::string r; std::getline(s, r, ',');) o.rpcs.push_back(r);
    } else usage("unknown flag " + flag);
  }
  if (o.address.empty() || o.certs.empty()) usage("--address and --certs are required");
  if (!o.capture && (o.database_url.empty() || o.pgbench_dir.empty() || o.termijnd_pid == 0 ||
                     o.postgres_pid == 0)) {
    usage("--address, --certs, --database-url, --pgbench-dir, --termijnd-pid and --postgres-pid "
          "are required");
  }
  return o;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// utime + stime of a process in seconds, with those of its waited-for children.
double cpu_seconds(pid_t pid) {
  const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return 0;
  std::stringstream fields(stat.substr(paren + 2));
  std::vector<std::string> f;
  for (std::string x; fields >> x;) f.push_back(x);
  // f[0] is field 3 (state): utime is field 14, stime 15, cutime 16, cstime 17.
  if (f.size() < 15) return 0;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  return (std::stod(f[11]) + std::stod(f[12]) + std::stod(f[13]) + std::stod(f[14])) / ticks;
}

pid_t parent_of(pid_t pid) {
  const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return 0;
  std::stringstream fields(stat.substr(paren + 2));
  std::string state;
  pid_t ppid = 0;
  fields >> state >> ppid;
  return ppid;
}

// The postmaster and every process it started (backends, WAL writer, checkpointer, ...).
double postgres_cpu_seconds(pid_t postmaster) {
  double total = cpu_seconds(postmaster);
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const pid_t pid = std::atoi(entry.path().filename().c_str());
    if (pid > 0 && parent_of(pid) == postmaster) total += cpu_seconds(pid);
  }
  return total;
}

// What the database and the processes did between two snapshots.
struct Snapshot {
  int64_t xid = 0;  // the next transaction id: counts transactions that wrote
  int64_t commits = 0;
  std::string wal_lsn;
  double termijnd_cpu = 0, postgres_cpu = 0;
  double client_cpu = 0;  // this program: the gRPC client (and pgbench, once waited for)
};

class Stats {
 public:
  Stats(const Options& o) : options_(o), connection_(o.database_url) {}

  Snapshot take() {
    pqxx::nontransaction tx(connection_);
    const pqxx::row r = tx.exec1(
        "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint, pg_current_wal_lsn()::text, "
        "(SELECT xact_commit FROM pg_stat_database WHERE datname = current_database())");
    Snapshot s;
    s.xid = r[0].as<int64_t>();
    s.wal_lsn = r[1].as<std::string>();
    s.commits = r[2].as<int64_t>();
    s.termijnd_cpu = cpu_seconds(options_.termijnd_pid);
    s.postgres_cpu = postgres_cpu_seconds(options_.postgres_pid);
    s.client_cpu = cpu_seconds(getpid());
    return s;
  }

  int64_t wal_bytes(const Snapshot& a, const Snapshot& b) {
    pqxx::nontransaction tx(connection_);
    return tx.exec_params1("SELECT pg_wal_lsn_diff($2::pg_lsn, $1::pg_lsn)::bigint", a.wal_lsn,
                           b.wal_lsn)[0]
        .as<int64_t>();
  }

  // Waits until no transaction has written for a second (at most a minute): the background
  // work of the last writes is done.
  void settle() {
    int64_t last = -1;
    for (int i = 0; i < 60; ++i) {
      pqxx::nontransaction tx(connection_);
      const int64_t xid =
          tx.exec1("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint")[0].as<int64_t>();
      tx.commit();
      if (xid == last) return;
      last = xid;
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }

 private:
  const Options& options_;
  pqxx::connection connection_;
};

// Latencies of one phase, in microseconds.
struct Latencies {
  std::vector<int64_t> us;
  int64_t errors = 0;
  double seconds = 0;
  double at(double q) const {
    if (us.empty()) return 0;
    return static_cast<double>(us[std::min(us.size() - 1, static_cast<size_t>(q * us.size()))]);
  }
};

// One RPC: how to start a call into a slot's context; `done` must run once it completes.
using Starter = std::function<void(v1::Termijn::Stub&, grpc::ClientContext*, int64_t seq,
                                   std::function<void(grpc::Status)> done)>;

// Keeps `clients` calls in flight for `seconds`, each client starting its next call from the
// completion of the previous one (gRPC's callback API, no thread per call).
// `seq` numbers the calls across phases, so that no request_id is sent twice (a repeated one would
// be answered from the first call without writing).
Latencies drive(v1::Termijn::Stub& stub, int clients, int seconds, const Starter& start,
                std::atomic<int64_t>& seq) {
  struct Slot {
    std::unique_ptr<grpc::ClientContext> context;
    Clock::time_point started;
  };
  std::mutex mutex;
  std::condition_variable all_done;
  int running = clients;
  Latencies result;
  const Clock::time_point begin = Clock::now();
  const Clock::time_point end = begin + std::chrono::seconds(seconds);
  std::vector<Slot> slots(clients);
  std::function<void(int)> next = [&](int i) {
    Slot& slot = slots[i];
    slot.context = std::make_unique<grpc::ClientContext>();
    slot.context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    slot.started = Clock::now();
    start(stub, slot.context.get(), seq++, [&, i](grpc::Status status) {
      const Clock::time_point now = Clock::now();
      {
        std::lock_guard<std::mutex> lock(mutex);
        if (status.ok()) {
          result.us.push_back(
              std::chrono::duration_cast<std::chrono::microseconds>(now - slots[i].started)
                  .count());
        } else if (result.errors++ < 3) {
          std::fprintf(stderr, "  call failed: %d %s\n", status.error_code(),
                       status.error_message().c_str());
        }
        if (now >= end) {
          if (--running == 0) all_done.notify_all();
          return;
        }
      }
      next(i);
    });
  };
  for (int i = 0; i < clients; ++i) next(i);
  std::unique_lock<std::mutex> lock(mutex);
  all_done.wait(lock, [&] { return running == 0; });
  result.seconds = std::chrono::duration<double>(Clock::now() - begin).count();
  std::sort(result.us.begin(), result.us.end());
  return result;
}

// pgbench's transactions per second (without connection time) and the latency of each
// transaction (from its log, -l), so that the tails of both sides compare in one run.
struct PgbenchResult {
  double tps = 0;
  int64_t transactions = 0;
  Latencies latencies;
};

// The latencies in pgbench's per-transaction logs pgbench_log.PID[.THREAD] in `dir` (field 3
// of each line, in microseconds), sorted.
std::vector<int64_t> pgbench_latencies(const std::filesystem::path& dir) {
  std::vector<int64_t> us;
  for (const auto& file : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(file.path());
    std::string line;
    while (std::getline(in, line)) {
      long long client = 0, transaction = 0, latency = 0;
      if (std::sscanf(line.c_str(), "%lld %lld %lld", &client, &transaction, &latency) == 3) {
        us.push_back(latency);
      }
    }
  }
  std::sort(us.begin(), us.end());
  return us;
}

// `incidents`: how many there are to read (the script of GetIncident picks one at random).
PgbenchResult pgbench(const Options& o, const std::string& script, int clients, size_t incidents) {
  char log_dir[] = "/tmp/termijn-pgbench-log.XXXXXX";
  if (mkdtemp(log_dir) == nullptr) usage("cannot make a folder for pgbench's log");
  const std::string command =
      "pgbench -n -M prepared -l --log-prefix=" + std::string(log_dir) + "/pgbench_log" +
      " -D incidents=" +
      std::to_string(std::max<size_t>(1, incidents)) + " -T " + std::to_string(o.seconds) + " -c " +
      std::to_string(clients) + " -j " + std::to_string(std::min(clients, 4)) + " -f " +
      o.pgbench_dir + "/" + script + " '" + o.database_url + "' 2>&1";
  FILE* p = popen(command.c_str(), "r");
  if (!p) usage("cannot run pgbench");
  PgbenchResult r;
  std::string out;
  char line[1024];
  while (std::fgets(line, sizeof line, p)) {
    out += line;
    double tps = 0;
    long long n = 0;
    if (std::sscanf(line, "tps = %lf (without initial connection time)", &tps) == 1) r.tps = tps;
    if (std::sscanf(line, "number of transactions actually processed: %lld", &n) == 1) {
      r.transactions = n;
    }
  }
  if (pclose(p) != 0 || r.tps == 0) {
    std::fprintf(stderr, "pgbench failed:\n%s", out.c_str());
    std::exit(1);
  }
  r.latencies.us = pgbench_latencies(log_dir);
  std::filesystem::remove_all(log_dir);
  return r;
}

// A UUID (version 4 layout) unique to this run and `seq`: request_id must be one.
std::string uuid(uint64_t run, int64_t seq) {
  char text[40];
  std::snprintf(text, sizeof text, "%08x-%04x-4%03x-8%03x-%012llx",
                static_cast<unsigned>(run >> 32), static_cast<unsigned>((run >> 16) & 0xffff),
                static_cast<unsigned>(run & 0xfff), static_cast<unsigned>((seq >> 48) & 0xfff),
                static_cast<unsigned long long>(seq & 0xffffffffffffLL));
  return text;
}

struct Row {
  std::string rpc;
  int clients;
  double rps, pgbench_tps;
};

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  // As termijnd does: Debian's Abseil checks the lock order of every gRPC mutex otherwise, and
  // this client shares the cores with what it measures.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = read_file(o.certs + "/ca.crt");
  ssl.pem_cert_chain = read_file(o.certs + "/" + o.principal + ".crt");
  ssl.pem_private_key = read_file(o.certs + "/" + o.principal + ".key");
  // One channel per eight clients, so that one HTTP/2 connection is not the limit.
  std::vector<std::unique_ptr<v1::Termijn::Stub>> stubs;
  for (int i = 0; i < 4; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("benchmark.channel", i);  // distinct arguments: distinct connections
    stubs.push_back(v1::Termijn::NewStub(
        grpc::CreateCustomChannel(o.address, grpc::SslCredentials(ssl), args)));
  }
  std::mutex ids_mutex;
  std::vector<std::string> incidents;  // made by ReportIncident, read by GetIncident
  const uint64_t run = std::random_device{}() * 0x100000000ULL + std::random_device{}();

  const std::vector<std::pair<std::string, Starter>> rpcs{
      {"ReportIncident",
       [&](v1::Termijn::Stub& stub, grpc::ClientContext* ctx, int64_t seq, auto done) {
         auto req = std::make_shared<v1::ReportIncidentRequest>();
         auto resp = std::make_shared<v1::Incident>();
         req->set_party("herent");
         req->set_title("Benchmark incident");
         req->set_description("A laptop with client files was stolen from a car.");
         req->add_categories(v1::DATA_CATEGORY_IDENTIFICATION);
         req->add_subject_groups(v1::SUBJECT_GROUP_CLIENTS);
         req->set_request_id(uuid(run, seq));
         stub.async()->ReportIncident(ctx, req.get(), resp.get(),
                                      [&, req, resp, done](grpc::Status s) {
                                        if (s.ok()) {
                                          std::lock_guard<std::mutex> lock(ids_mutex);
                                          incidents.push_back(resp->name());
                                        }
                                        done(s);
                                      });
       }},
      {"LogRequest",
       [&](v1::Termijn::Stub& stub, grpc::ClientContext* ctx, int64_t seq, auto done) {
         auto req = std::make_shared<v1::LogRequestRequest>();
         auto resp = std::make_shared<v1::Request>();
         req->set_party("herent");
         req->set_kind(v1::REQUEST_KIND_ACCESS);
         req->set_summary("A client asks for a copy of her file.");
         req->set_request_id(uuid(run + 1, seq));
         stub.async()->LogRequest(ctx, req.get(), resp.get(),
                                  [req, resp, done](grpc::Status s) { done(s); });
       }},
      {"GetIncident",
       [&](v1::Termijn::Stub& stub, grpc::ClientContext* ctx, int64_t seq, auto done) {
         auto req = std::make_shared<v1::GetIncidentRequest>();
         auto resp = std::make_shared<v1::Incident>();
         {
           std::lock_guard<std::mutex> lock(ids_mutex);
           req->set_name(incidents[static_cast<size_t>(seq) % incidents.size()]);
         }
         stub.async()->GetIncident(ctx, req.get(), resp.get(),
                                   [req, resp, done](grpc::Status s) { done(s); });
       }},
      {"ListObligations",
       [&](v1::Termijn::Stub& stub, grpc::ClientContext* ctx, int64_t, auto done) {
         auto req = std::make_shared<v1::ListObligationsRequest>();
         auto resp = std::make_shared<v1::ListObligationsResponse>();
         req->set_party("herent");
         req->set_page_size(50);
         stub.async()->ListObligations(ctx, req.get(), resp.get(),
                                       [req, resp, done](grpc::Status s) { done(s); });
       }},
  };

  std::atomic<int64_t> seq{0};
  if (o.capture) {
    // One call of each RPC, one after the other (GetIncident reads the incident just reported).
    for (const auto& [rpc, start] : rpcs) {
      if (drive(*stubs[0], 1, 0, start, seq).us.size() != 1) usage("capture: " + rpc + " failed");
    }
    return 0;
  }
  Stats stats(o);

  std::printf("Throughput, %d s per phase; termijnd over gRPC with mTLS against pgbench -M prepared "
              "with the same statements\n",
              o.seconds);
  std::printf(
      "%-16s %4s | %8s %8s %8s %8s %6s %8s %7s %7s %6s %6s | %8s %8s %8s %7s %8s %7s | %6s\n",
      "rpc", "cli", "rps", "p50 ms", "p99 ms", "max ms", "wcom", "WAL B", "cpu T", "cpu PG",
      "cpu C", "T us/c", "pgb tps", "p50 ms", "p99 ms", "wcom", "WAL B", "cpu PG", "ratio");
  std::vector<Row> rows;
  for (int clients : o.clients) {
    for (const auto& [rpc, start] : rpcs) {
      if (!o.rpcs.empty() && std::find(o.rpcs.begin(), o.rpcs.end(), rpc) == o.rpcs.end()) {
        continue;
      }
      if (rpc == "GetIncident" && incidents.empty()) usage("no incident was reported to read");
      const bool write = rpc == "ReportIncident" || rpc == "LogRequest";
      std::atomic<int> channel{0};
      // Spreads the clients over the channels.
      const Starter spread = [&](v1::Termijn::Stub&, grpc::ClientContext* ctx, int64_t seq,
                                 std::function<void(grpc::Status)> done) {
        start(*stubs[static_cast<size_t>(channel++) % stubs.size()], ctx, seq, std::move(done));
      };
      // A second of the same load first, not measured: termijnd opens its pool's connections as
      // calls need them, and PostgreSQL's new sessions load their catalog caches on their first
      // statements. The first 32 calls of a phase took 0.5-1.5 s for that, which was the whole
      // p99; pgbench's figures leave out its connections' set-up too.
      drive(*stubs[0], clients, 1, spread, seq);
      stats.settle();
      const Snapshot before = stats.take();
      std::fprintf(stderr, "phase %s %d: termijnd\n", rpc.c_str(), clients);  // for profilers
      const Latencies l = drive(*stubs[0], clients, o.seconds, spread, seq);
      // CPU shares are over the phase itself; the wait for the background work below would
      // otherwise count as phase time (its CPU is in the per-call column).
      const Snapshot phase_end = stats.take();
      if (write) stats.settle();
      const Snapshot after = stats.take();
      const double calls = static_cast<double>(l.us.size());

      // termijnd is stopped while pgbench runs, so that neither its background work nor its
      // health probe counts for pgbench; it does the background work of pgbench's writes after.
      stats.settle();
      kill(o.termijnd_pid, SIGSTOP);
      const Snapshot pg_before = stats.take();
      const PgbenchResult p = pgbench(o, rpc + ".sql", clients, incidents.size());
      // pgbench's sessions end as it exits: their CPU counts once the postmaster reaped them.
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      const Snapshot pg_after = stats.take();
      kill(o.termijnd_pid, SIGCONT);
      const double tx = static_cast<double>(std::max<int64_t>(1, p.transactions));

      const double rps = calls / l.seconds;
      std::printf(
          "%-16s %4d | %8.0f %8.1f %8.1f %8.1f %6.2f %8.0f %6.0f%% %6.0f%% %5.0f%% %6.0f | %8.0f "
          "%8.1f %8.1f %7.2f %8.0f %6.0f%% | %6.2f\n",
          rpc.c_str(), clients, rps, l.at(0.5) / 1000, l.at(0.99) / 1000,
          l.us.empty() ? 0.0 : l.us.back() / 1000.0,
          (after.xid - before.xid) / std::max(1.0, calls),
          stats.wal_bytes(before, after) / std::max(1.0, calls),
          100 * (phase_end.termijnd_cpu - before.termijnd_cpu) / l.seconds,
          100 * (phase_end.postgres_cpu - before.postgres_cpu) / l.seconds,
          100 * (phase_end.client_cpu - before.client_cpu) / l.seconds,
          1e6 * (after.termijnd_cpu - before.termijnd_cpu) / std::max(1.0, calls), p.tps,
          p.latencies.at(0.5) / 1000, p.latencies.at(0.99) / 1000,
          (pg_after.xid - pg_before.xid) / tx, stats.wal_bytes(pg_before, pg_after) / tx,
          100 * (pg_after.postgres_cpu - pg_before.postgres_cpu) / o.seconds, rps / p.tps);
      if (l.errors) std::printf("  %lld calls failed\n", static_cast<long long>(l.errors));
      std::fflush(stdout);
      rows.push_back({rpc, clients, rps, p.tps});
    }
  }
  // W: ReportIncident; R: the lower of the two reads; both at the largest client count. "-" for
  // a ratio whose RPCs did not run.
  const int most = *std::max_element(o.clients.begin(), o.clients.end());
  std::optional<double> w, r;
  for (const Row& row : rows) {
    if (row.clients != most) continue;
    const double ratio = row.rps / row.pgbench_tps;
    if (row.rpc == "ReportIncident") w = ratio;
    if (row.rpc == "GetIncident" || row.rpc == "ListObligations") {
      r = std::min(r.value_or(ratio), ratio);
    }
  }
  const auto shown = [](std::optional<double> ratio) {
    char text[16] = "-";
    if (ratio) std::snprintf(text, sizeof text, "%.2f", *ratio);
    return std::string(text);
  };
  std::printf("ratio writes %s reads %s\n", shown(w).c_str(), shown(r).c_str());
  return 0;
}
