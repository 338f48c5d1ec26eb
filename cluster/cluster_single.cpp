// The single-process cluster of a build without MPI: one rank, nothing to exchange.
#include <cstdlib>

#include "cluster/cluster.hpp"
#include "cluster/launcher_env.hpp"

namespace patchnas::cluster {

Session::Session(int&, char**&) {
  const int processes = launched_process_count();
  if (launched_by_mpi() && processes > 1) {
    throw Error("this patchnas was built without MPI (PATCHNAS_MPI=OFF or no libopenmpi-dev) "
                "but was started as one of " + std::to_string(processes) +
                " processes by an MPI launcher; rebuild it with MPI, or run one process");
  }
}
Session::~Session() = default;

bool built_with_mpi() { return false; }
int rank() { return 0; }
int size() { return 1; }
std::string broadcast(const std::string& bytes) { return bytes; }
std::vector<std::string> allgather(const std::string& mine) { return {mine}; }
void barrier() {}
void abort_job(int code) { std::exit(code); }

void send(int, int, const std::string&) { throw Error("no other rank to send to"); }
std::optional<Message> poll() { return std::nullopt; }
Message receive(int) { throw Error("no other rank to receive from"); }

}  // namespace patchnas::cluster
