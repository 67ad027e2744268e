#pragma once
// A child process for the crash tests: its standard output (and, if asked, its standard input) is
// a pipe to this process, it is killed with SIGKILL when the test says, and a failing test never
// leaves it behind.

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace sluice_test {

[[noreturn]] inline void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

inline std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
  return "ended with wait status " + std::to_string(status);
}

enum class child_input { inherited, piped };

class child_process {
 public:
  explicit child_process(const std::vector<std::string>& argv, child_input input = child_input::inherited) {
    const pipe_ends out = make_pipe();
    output_ = out.read;
    std::optional<pipe_ends> in;
    if (input == child_input::piped) {
      in = make_pipe();
      input_ = in->write;
    }
    const int rc = spawn(argv, out.write, in ? in->read : -1);
    // The child holds the only other ends: its death is our end of file, and our close its.
    ::close(out.write);
    if (in) ::close(in->read);
    if (rc != 0) {
      close_pipes();
      throw std::system_error(rc, std::generic_category(), "posix_spawn " + argv.front());
    }
  }

  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  ~child_process() {
    try {
      if (pid_ > 0) static_cast<void>(kill_and_reap());
    } catch (...) {  // waitpid fails only for a pid that is not our child: nothing left to reap
    }
    close_pipes();
  }

  /// The read end of the child's standard output.
  [[nodiscard]] int output() const noexcept { return output_; }

  /// Writes `text` to the child's standard input (child_input::piped). A child that has died
  /// makes this throw (EPIPE) rather than end the test with SIGPIPE.
  void write_input(std::string_view text) {
    if (input_ < 0) throw std::logic_error("child_process: standard input is not a pipe");
    while (!text.empty()) {
      const ::ssize_t wrote = send_or_write(input_, text);
      if (wrote < 0) {
        if (errno == EINTR) continue;
        throw_errno("write to the child's standard input");
      }
      text.remove_prefix(static_cast<std::size_t>(wrote));
    }
  }

  /// Sends SIGKILL and waits for the process to end; returns its wait status.
  int kill_and_reap() {
    ::kill(pid_, SIGKILL);
    return reap();
  }

  /// Waits for the process to end by itself; returns its wait status.
  int reap() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0)
      if (errno != EINTR) throw_errno("waitpid");
    pid_ = -1;
    return status;
  }

  /// Closes the child's standard input: it reads end of file.
  void close_input() noexcept {
    if (input_ >= 0) ::close(input_);
    input_ = -1;
  }

 private:
  struct pipe_ends {
    int read;
    int write;
  };

  static pipe_ends make_pipe() {
    int ends[2];
    if (::pipe2(ends, O_CLOEXEC) != 0) throw_errno("pipe2");
    return {ends[0], ends[1]};
  }

  // write(2) without SIGPIPE: the signal is blocked for this thread while it writes, and a
  // pending one is consumed before it is unblocked.
  static ::ssize_t send_or_write(int fd, std::string_view text) {
    sigset_t pipe_signal, previous;
    sigemptyset(&pipe_signal);
    sigaddset(&pipe_signal, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_signal, &previous);
    const ::ssize_t wrote = ::write(fd, text.data(), text.size());
    const int saved = errno;
    if (wrote < 0 && saved == EPIPE) {
      const timespec no_wait{0, 0};
      sigtimedwait(&pipe_signal, nullptr, &no_wait);
    }
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    errno = saved;
    return wrote;
  }

  int spawn(const std::vector<std::string>& argv, int stdout_fd, int stdin_fd) {
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, stdout_fd, STDOUT_FILENO);  // dup2 clears O_CLOEXEC
    if (stdin_fd >= 0) posix_spawn_file_actions_adddup2(&actions, stdin_fd, STDIN_FILENO);
    const int rc = ::posix_spawn(&pid_, args.front(), &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) pid_ = -1;
    return rc;
  }

  void close_pipes() noexcept {
    close_input();
    if (output_ >= 0) ::close(output_);
    output_ = -1;
  }

  ::pid_t pid_ = -1;
  int output_ = -1;
  int input_ = -1;
};

/// The lines a child writes to a pipe, one at a time.
class line_reader {
 public:
  /// A child that says nothing for `patience` is hung, not slow.
  explicit line_reader(int fd, std::chrono::seconds patience = std::chrono::seconds{60}) noexcept
      : fd_(fd), patience_(patience) {}

  /// The next line, without its newline; nullopt once the pipe is closed (see unterminated()).
  std::optional<std::string> next() {
    for (;;) {
      const std::size_t end = buffer_.find('\n');
      if (end != std::string::npos) {
        std::string line = buffer_.substr(0, end);
        buffer_.erase(0, end + 1);
        return line;
      }
      if (!read_more()) return std::nullopt;
    }
  }

  /// Once next() has said the pipe is closed: what the child wrote after its last newline, the
  /// start of a line it was killed while writing.
  [[nodiscard]] const std::string& unterminated() const noexcept { return buffer_; }

 private:
  // Appends what the pipe holds to the buffer, waiting for it; false at end of file.
  bool read_more() {
    pollfd readable{.fd = fd_, .events = POLLIN, .revents = 0};
    const auto timeout = static_cast<int>(std::chrono::milliseconds{patience_}.count());
    int ready = 0;
    while ((ready = ::poll(&readable, 1, timeout)) < 0)
      if (errno != EINTR) throw_errno("poll");
    if (ready == 0)
      throw std::runtime_error("the child wrote nothing for " + std::to_string(patience_.count()) + " s: is it hung?");
    char chunk[4096];
    ::ssize_t got = 0;
    while ((got = ::read(fd_, chunk, sizeof chunk)) < 0)
      if (errno != EINTR) throw_errno("read");
    buffer_.append(chunk, static_cast<std::size_t>(got));
    return got > 0;
  }

  int fd_;
  std::chrono::seconds patience_;
  std::string buffer_;
};

}  // namespace sluice_test
