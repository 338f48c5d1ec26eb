// cluster: the one module that speaks MPI. It owns this process's place in a job of several
// processes (ranks) started by mpirun or srun: start-up and shut-down (Session), this rank and
// the number of ranks, the collective exchanges of byte strings the search needs (broadcast from
// rank 0, allgather in rank order), and the point-to-point messages of the job dealer
// (job_dealer.hpp). Rank 0 is the coordinator: it alone writes the run's files and prints.
// Built without MPI (PATCHNAS_MPI=OFF) it is a single-process stub of the same interface, and
// Session refuses to start as one of several processes (mpirun of a binary without MPI would
// run N independent copies writing the same files).
// Waits (collectives, barrier, receive) poll with short sleeps, so a rank that waits for the
// others leaves the cores to them.
//   int main(int argc, char** argv) { patchnas::cluster::Session session(argc, argv); ... }
//   if (cluster::is_coordinator()) write_results();
//   const std::vector<std::string> all = cluster::allgather(mine);  // every rank's, rank order
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace patchnas::cluster {

// A failed MPI call, or patchnas started by mpirun while built without MPI.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// MPI for the life of the process when it was started by an MPI launcher (mpirun, srun);
// nothing otherwise (one rank). The destructor waits for every rank (a sleeping barrier), then
// finalizes. One Session per process, in main().
class Session {
 public:
  Session(int& argc, char**& argv);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
};

bool built_with_mpi();
int rank();
int size();
inline bool is_coordinator() { return rank() == 0; }

// Rank 0's `bytes` on every rank (what the other ranks pass is ignored). Collective.
std::string broadcast(const std::string& bytes);
// Every rank's `mine`, indexed by rank. Collective.
std::vector<std::string> allgather(const std::string& mine);
void barrier();

// Ends every rank of the job with `code` (MPI_Abort). Only for main(), after an error on a
// rank of a job of several: the others may be waiting for it and would never end otherwise.
[[noreturn]] void abort_job(int code);

// Point-to-point messages (the job dealer's): a tag and bytes.
struct Message {
  int source = 0;
  int tag = 0;
  std::string bytes;
};
void send(int to, int tag, const std::string& bytes);
// The next message from any rank, if one has arrived.
std::optional<Message> poll();
constexpr int kAnyRank = -1;
// Waits for the next message from rank `from` (or from any rank: kAnyRank).
Message receive(int from);

}  // namespace patchnas::cluster
