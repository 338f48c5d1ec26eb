// JobDealer: runs lists of independent jobs (opaque byte strings) over every rank of the job,
// each job dealt to whichever rank frees up first (dynamic scheduling: jobs take different
// times). Rank 0 deals from its main thread (the one thread that talks MPI) and runs jobs
// itself on a worker thread, so N ranks are N workers; the other ranks call serve_jobs(), which
// runs what they are dealt until rank 0 calls finish(). On one rank, run() runs the jobs in
// order on the calling thread. A job reports nothing back but success or its error: it leaves
// its result where rank 0 can read it (a file in the shared run directory). When a job throws,
// on any rank, dealing stops and run() throws JobFailed naming the rank and the error, once
// rank 0's own job in hand has ended.
//   // rank 0                                         // every other rank
//   JobDealer dealer(train_one);                       serve_jobs(train_one);
//   dealer.run({job_a, job_b, job_c});  // waits until all three are done: {0, 1, 0}
//   dealer.run({job_b});
//   dealer.finish();                    // releases the other ranks from serve_jobs
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace patchnas::cluster {

using JobFunction = std::function<void(const std::string& job)>;

class JobFailed : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class JobDealer {
 public:
  // On rank 0 only.
  explicit JobDealer(JobFunction run_job);
  // Returns the rank that ran each job.
  std::vector<int> run(const std::vector<std::string>& jobs);
  void finish();

 private:
  JobFunction run_job_;
  std::vector<int> idle_;  // ranks waiting for a job, in the order they became free
};

// On every rank but 0: runs the jobs dealt to this rank until the dealer finishes.
void serve_jobs(const JobFunction& run_job);

}  // namespace patchnas::cluster
