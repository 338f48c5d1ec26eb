// A program on the cluster stub, as patchnas is when built without MPI: it starts a Session
// and says how that went (exit 0 as the only process, 1 with the Session's error).
#include <cstdio>
#include <exception>

#include "cluster/cluster.hpp"

int main(int argc, char** argv) {
  try {
    const patchnas::cluster::Session session(argc, argv);
    std::printf("started as the only process\n");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
