// The cluster on MPI (Open MPI). Only the main thread calls MPI (MPI_THREAD_FUNNELED); errors
// are returned (MPI_ERRORS_RETURN) and thrown as cluster::Error naming the call.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <thread>

#include "cluster/cluster.hpp"
#include "cluster/launcher_env.hpp"

namespace patchnas::cluster {
namespace {

bool g_started = false;
int g_rank = 0;
int g_size = 1;

void check(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw Error(std::string(call) + " failed on rank " + std::to_string(g_rank) + ": " +
              std::string(text, static_cast<std::size_t>(length)));
}

// The k-th sleep of a wait: 50 us, doubling up to 2 ms, so short waits stay short and long
// ones (a rank waiting minutes for rank 0's final stages) cost next to no CPU.
void nap(int& k) {
  std::this_thread::sleep_for(std::chrono::microseconds(50 << std::min(k, 5)));
  ++k;
}

// Completes a nonblocking call, sleeping between tests instead of spinning on a core.
void wait(MPI_Request& request, const char* call) {
  for (int k = 0;;) {
    int done = 0;
    check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), call);
    if (done != 0) return;
    nap(k);
  }
}

int as_int(std::size_t n, const char* what) {
  if (n > static_cast<std::size_t>(INT32_MAX)) throw Error(std::string(what) + " over 2 GiB");
  return static_cast<int>(n);
}

Message receive_probed(const MPI_Status& status) {
  int count = 0;
  check(MPI_Get_count(&status, MPI_BYTE, &count), "MPI_Get_count");
  Message m;
  m.source = status.MPI_SOURCE;
  m.tag = status.MPI_TAG;
  m.bytes.resize(static_cast<std::size_t>(count));
  check(MPI_Recv(m.bytes.data(), count, MPI_BYTE, m.source, m.tag, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE),
        "MPI_Recv");
  return m;
}

}  // namespace

Session::Session(int& argc, char**& argv) {
  if (!launched_by_mpi()) return;
  int provided = 0;
  check(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided), "MPI_Init_thread");
  g_started = true;
  check(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  check(MPI_Comm_rank(MPI_COMM_WORLD, &g_rank), "MPI_Comm_rank");
  check(MPI_Comm_size(MPI_COMM_WORLD, &g_size), "MPI_Comm_size");
  if (provided < MPI_THREAD_FUNNELED) {
    throw Error("the MPI library does not support MPI_THREAD_FUNNELED");
  }
}

Session::~Session() {
  if (!g_started) return;
  try {
    barrier();
  } catch (const Error&) {
    // Finalizing anyway: there is nobody left to report to.
  }
  MPI_Finalize();
}

bool built_with_mpi() { return true; }
int rank() { return g_rank; }
int size() { return g_size; }

std::string broadcast(const std::string& bytes) {
  if (g_size == 1) return bytes;
  std::uint64_t length = bytes.size();
  MPI_Request request;
  check(MPI_Ibcast(&length, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD, &request), "MPI_Ibcast");
  wait(request, "MPI_Ibcast");
  std::string out = g_rank == 0 ? bytes : std::string(length, '\0');
  check(MPI_Ibcast(out.data(), as_int(length, "a broadcast"), MPI_BYTE, 0, MPI_COMM_WORLD,
                   &request),
        "MPI_Ibcast");
  wait(request, "MPI_Ibcast");
  return out;
}

std::vector<std::string> allgather(const std::string& mine) {
  if (g_size == 1) return {mine};
  const int length = as_int(mine.size(), "an allgather");
  std::vector<int> lengths(static_cast<std::size_t>(g_size));
  MPI_Request request;
  check(MPI_Iallgather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, MPI_COMM_WORLD, &request),
        "MPI_Iallgather");
  wait(request, "MPI_Iallgather");
  std::vector<int> offsets(lengths.size());
  std::size_t total = 0;
  for (std::size_t r = 0; r < lengths.size(); ++r) {
    offsets[r] = as_int(total, "an allgather");
    total += static_cast<std::size_t>(lengths[r]);
  }
  std::string all(total, '\0');
  check(MPI_Iallgatherv(mine.data(), length, MPI_BYTE, all.data(), lengths.data(), offsets.data(),
                        MPI_BYTE, MPI_COMM_WORLD, &request),
        "MPI_Iallgatherv");
  wait(request, "MPI_Iallgatherv");
  std::vector<std::string> out;
  for (std::size_t r = 0; r < lengths.size(); ++r) {
    out.push_back(all.substr(static_cast<std::size_t>(offsets[r]),
                             static_cast<std::size_t>(lengths[r])));
  }
  return out;
}

void barrier() {
  if (g_size == 1) return;
  MPI_Request request;
  check(MPI_Ibarrier(MPI_COMM_WORLD, &request), "MPI_Ibarrier");
  wait(request, "MPI_Ibarrier");
}

void abort_job(int code) {
  if (g_started) MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

void send(int to, int tag, const std::string& bytes) {
  MPI_Request request;
  check(MPI_Isend(bytes.data(), as_int(bytes.size(), "a message"), MPI_BYTE, to, tag,
                  MPI_COMM_WORLD, &request),
        "MPI_Isend");
  wait(request, "MPI_Isend");
}

std::optional<Message> poll() {
  if (g_size == 1) return std::nullopt;
  int arrived = 0;
  MPI_Status status;
  check(MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &arrived, &status), "MPI_Iprobe");
  if (arrived == 0) return std::nullopt;
  return receive_probed(status);
}

Message receive(int from) {
  for (int k = 0;;) {
    int arrived = 0;
    MPI_Status status;
    check(MPI_Iprobe(from == kAnyRank ? MPI_ANY_SOURCE : from, MPI_ANY_TAG, MPI_COMM_WORLD, &arrived, &status), "MPI_Iprobe");
    if (arrived != 0) return receive_probed(status);
    nap(k);
  }
}

}  // namespace patchnas::cluster
