#include "cluster/job_dealer.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <optional>
#include <thread>

#include "cluster/cluster.hpp"

namespace patchnas::cluster {
namespace {

// Messages: a worker reports on kReport ("R" ready, "D" done, "F<error>" failed); the dealer
// sends a job on kJob, or kFinish when there is nothing more.
constexpr int kReport = 11;
constexpr int kJob = 12;
constexpr int kFinish = 13;

// Rank 0's own worker: one job at a time on a thread of its own.
class LocalWorker {
 public:
  explicit LocalWorker(const JobFunction& run_job) : run_job_(run_job) {}
  ~LocalWorker() {
    if (thread_.joinable()) thread_.join();
  }
  bool busy() const { return thread_.joinable(); }
  bool finished() const { return finished_.load(); }
  void start(const std::string& job) {
    finished_ = false;
    error_.reset();
    thread_ = std::thread([this, job] {
      try {
        run_job_(job);
      } catch (const std::exception& e) {
        error_ = e.what();
      }
      finished_ = true;
    });
  }
  // Joins the finished job's thread; its error, if it threw.
  std::optional<std::string> take() {
    thread_.join();
    return error_;
  }

 private:
  const JobFunction& run_job_;
  std::thread thread_;
  std::atomic<bool> finished_{false};
  std::optional<std::string> error_;
};

std::string failure_text(int rank, const std::string& error) {
  return "rank " + std::to_string(rank) + ": " + error;
}

}  // namespace

JobDealer::JobDealer(JobFunction run_job) : run_job_(std::move(run_job)) {}

std::vector<int> JobDealer::run(const std::vector<std::string>& jobs) {
  std::vector<int> ran_on(jobs.size(), 0);
  if (size() == 1) {
    for (const std::string& job : jobs) run_job_(job);
    return ran_on;
  }
  LocalWorker local(run_job_);
  std::size_t next = 0;
  std::size_t done = 0;
  std::optional<std::string> failure;
  for (int naps = 0;;) {
    if (!failure) {
      while (!idle_.empty() && next < jobs.size()) {
        ran_on[next] = idle_.front();
        send(idle_.front(), kJob, jobs[next++]);
        idle_.erase(idle_.begin());
      }
      if (!local.busy() && next < jobs.size()) local.start(jobs[next++]);
    }
    if (local.busy() && local.finished()) {
      ++done;
      const std::optional<std::string> error = local.take();
      if (error && !failure) failure = failure_text(0, *error);
    }
    if (failure && !local.busy()) throw JobFailed(*failure);
    if (done == jobs.size()) return ran_on;
    if (std::optional<Message> m = poll()) {
      naps = 0;
      if (m->tag != kReport || m->bytes.empty()) continue;
      if (m->bytes[0] != 'R') ++done;
      if (m->bytes[0] == 'F' && !failure) failure = failure_text(m->source, m->bytes.substr(1));
      idle_.push_back(m->source);
    } else {
      std::this_thread::sleep_for(std::chrono::microseconds(50 << std::min(naps++, 5)));
    }
  }
}

void JobDealer::finish() {
  if (size() == 1) return;
  // Every other rank gets kFinish once it has said it is ready (a rank that was never dealt a
  // job may not have yet).
  std::vector<bool> released(static_cast<std::size_t>(size()), false);
  int left = size() - 1;
  const auto release = [&](int r) {
    if (released[static_cast<std::size_t>(r)]) return;
    send(r, kFinish, "");
    released[static_cast<std::size_t>(r)] = true;
    --left;
  };
  for (const int r : idle_) release(r);
  idle_.clear();
  while (left > 0) {
    const Message m = receive(kAnyRank);
    if (m.tag == kReport) release(m.source);
  }
}

void serve_jobs(const JobFunction& run_job) {
  send(0, kReport, "R");
  for (;;) {
    const Message m = receive(0);
    if (m.tag == kFinish) return;
    if (m.tag != kJob) continue;
    try {
      run_job(m.bytes);
      send(0, kReport, "D");
    } catch (const std::exception& e) {
      send(0, kReport, std::string("F") + e.what());
    }
  }
}

}  // namespace patchnas::cluster
