// How an MPI launcher (mpirun, srun) tells a process that it is one of several: the
// environment it sets. Shared by the MPI build (start MPI only under a launcher) and the stub
// (refuse to run as one of several processes).
#pragma once

namespace patchnas::cluster {

// True when a launcher started this process (Open MPI's OMPI_COMM_WORLD_SIZE, PMIx's
// PMIX_RANK, PMI's PMI_RANK).
bool launched_by_mpi();
// The number of processes the launcher started, when it says (0 when unknown).
int launched_process_count();

}  // namespace patchnas::cluster
