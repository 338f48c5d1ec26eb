// The cluster stub (what a build without MPI has): one process, and a Session that refuses to
// start when an MPI launcher says it started several (mpirun of such a binary would run N
// independent copies writing the same files). Each test sets the launcher's environment
// itself; MpiErrors.BuildWithoutMpiRefusesToBeOneOfSeveralProcesses runs it under mpirun.
#include <cstdlib>

#include <gtest/gtest.h>

#include "cluster/cluster.hpp"

namespace patchnas::cluster {
namespace {

// The variables the launchers set (Open MPI's mpirun, PMIx and PMI as srun sets them), cleared
// for each test and restored afterwards.
class StubSession : public ::testing::Test {
 protected:
  static constexpr const char* kNames[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK",
                                           "PMI_SIZE", "SLURM_NTASKS"};
  void SetUp() override {
    for (const char* name : kNames) {
      if (const char* value = std::getenv(name)) saved_.emplace_back(name, value);
      ::unsetenv(name);
    }
  }
  void TearDown() override {
    for (const char* name : kNames) ::unsetenv(name);
    for (const auto& [name, value] : saved_) ::setenv(name.c_str(), value.c_str(), 1);
  }
  // The error Session throws, "" when it starts.
  static std::string start() {
    int argc = 1;
    char name[] = "patchnas";
    char* args[] = {name, nullptr};
    char** argv = args;
    try {
      const Session session(argc, argv);
      return "";
    } catch (const Error& e) {
      return e.what();
    }
  }

 private:
  std::vector<std::pair<std::string, std::string>> saved_;
};

TEST_F(StubSession, StartsAsTheOnlyProcessWithoutALauncher) {
  EXPECT_EQ(start(), "");
  EXPECT_FALSE(built_with_mpi());
  EXPECT_EQ(size(), 1);
  EXPECT_EQ(rank(), 0);
}

TEST_F(StubSession, StartsAsTheOnlyProcessOfALauncher) {
  ::setenv("OMPI_COMM_WORLD_SIZE", "1", 1);
  EXPECT_EQ(start(), "");
}

TEST_F(StubSession, RefusesToBeOneOfSeveralProcessesOfMpirun) {
  ::setenv("OMPI_COMM_WORLD_SIZE", "2", 1);
  EXPECT_NE(start().find("built without MPI"), std::string::npos) << start();
  EXPECT_NE(start().find("one of 2 processes"), std::string::npos) << start();
}

TEST_F(StubSession, RefusesToBeOneOfSeveralProcessesOfSrun) {
  ::setenv("PMIX_RANK", "0", 1);
  ::setenv("SLURM_NTASKS", "4", 1);
  EXPECT_NE(start().find("one of 4 processes"), std::string::npos) << start();
  ::unsetenv("PMIX_RANK");
  ::unsetenv("SLURM_NTASKS");
  ::setenv("PMI_RANK", "2", 1);
  ::setenv("PMI_SIZE", "3", 1);
  EXPECT_NE(start().find("one of 3 processes"), std::string::npos) << start();
}

}  // namespace
}  // namespace patchnas::cluster
