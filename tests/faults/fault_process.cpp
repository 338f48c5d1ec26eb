#include "faults/fault_process.hpp"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace patchnas::faults {
namespace {

// A guard against a hanging child: no fault-suite command may take longer.
constexpr double kLimitSeconds = 600;

}  // namespace

// From /proc/<pid>/stat: "pid (comm) state ppid pgrp session".
std::vector<pid_t> session_members(pid_t sid) {
  std::vector<pid_t> members;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return members;
  while (const dirent* entry = ::readdir(proc)) {
    const pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
    if (pid <= 0) continue;
    std::ifstream stat("/proc/" + std::string(entry->d_name) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), {});
    const auto close = text.rfind(')');
    if (close == std::string::npos) continue;
    char state = 0;
    int ppid = 0, pgrp = 0, session = 0;
    if (std::sscanf(text.c_str() + close + 1, " %c %d %d %d", &state, &ppid, &pgrp, &session) == 4 &&
        session == sid && state != 'Z') {
      members.push_back(pid);
    }
  }
  ::closedir(proc);
  return members;
}

namespace {

void kill_session(pid_t sid) {
  for (int round = 0; round < 500; ++round) {
    const std::vector<pid_t> members = session_members(sid);
    if (members.empty()) return;
    for (const pid_t pid : members) ::kill(pid, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  throw std::runtime_error("processes of a killed patchnas session would not die");
}

[[noreturn]] void exec_child(const std::vector<std::string>& argv, const std::string& log_file,
                             const std::vector<std::string>& environment) {
  ::setsid();
  const int log = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (log >= 0) {
    ::dup2(log, 1);
    ::dup2(log, 2);
  }
  for (const std::string& e : environment) ::putenv(const_cast<char*>(e.c_str()));
  std::vector<char*> pointers;
  for (const std::string& a : argv) pointers.push_back(const_cast<char*>(a.c_str()));
  pointers.push_back(nullptr);
  ::execvp(pointers[0], pointers.data());
  ::_exit(127);
}

}  // namespace

Outcome run_patchnas(const std::vector<std::string>& args, const std::string& log_file,
                     std::optional<double> kill_after_seconds,
                     const std::vector<std::string>& environment) {
  std::vector<std::string> argv{PATCHNAS_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_program(argv, log_file, kill_after_seconds, environment);
}

Outcome run_program(const std::vector<std::string>& argv, const std::string& log_file,
                    std::optional<double> kill_after_seconds,
                    const std::vector<std::string>& environment,
                    const WhileRunning& while_running) {
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) exec_child(argv, log_file, environment);
  const double limit = kill_after_seconds.value_or(kLimitSeconds);
  Outcome outcome;
  int status = 0;
  while (true) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    outcome.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (done == pid) break;
    if (outcome.seconds >= limit) {
      kill_session(pid);
      ::waitpid(pid, &status, 0);
      if (!kill_after_seconds) throw std::runtime_error("patchnas ran over the time limit");
      break;
    }
    if (while_running) while_running(pid);
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  // Helpers of a command that ended (or was killed) must not outlive it.
  kill_session(pid);
  outcome.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return outcome;
}

}  // namespace patchnas::faults
