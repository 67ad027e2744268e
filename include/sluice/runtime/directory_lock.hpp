#pragma once
// Exclusive ownership of a data directory by one cluster: an flock on <dir>/LOCK, with the
// holder's pid written in the file so that the next one to try can say who holds it.

#include <sluice/runtime/cluster_error.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

namespace sluice::runtime::detail {

// Holds the lock from construction to destruction; the kernel drops it if the process dies.
// flock locks belong to an open file description, so a second directory_lock on the same
// directory fails inside one process just as it does from another. Not copyable or movable.
class directory_lock {
 public:
  explicit directory_lock(const std::filesystem::path& dir) : path_(dir / "LOCK") {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw cluster_error("cannot open the lock file '" + path_.string() + "': " + last_error());
    if (!try_lock()) {
      const int error = errno;
      std::string holder = read_holder();
      ::close(fd_);
      if (error != EWOULDBLOCK)
        throw cluster_error("cannot lock the data directory '" + dir.string() + "': " + describe(error));
      throw cluster_error("the data directory '" + dir.string() + "' is in use by " + holder +
                          "; one cluster at a time may open it");
    }
    write_holder();
  }

  directory_lock(const directory_lock&) = delete;
  directory_lock& operator=(const directory_lock&) = delete;

  ~directory_lock() {
    static_cast<void>(::ftruncate(fd_, 0));  // no stale pid for the next reader
    ::close(fd_);                            // releases the lock
  }

 private:
  static std::string describe(int error) { return std::error_code(error, std::generic_category()).message(); }
  static std::string last_error() { return describe(errno); }

  bool try_lock() const noexcept {
    int rc = 0;
    do {
      rc = ::flock(fd_, LOCK_EX | LOCK_NB);
    } while (rc != 0 && errno == EINTR);
    return rc == 0;
  }

  // "process 1234", or a vaguer phrase while the holder has not written its pid yet.
  std::string read_holder() const {
    char buffer[32] = {};
    const ::ssize_t size = ::pread(fd_, buffer, sizeof buffer - 1, 0);
    std::string pid{buffer, size > 0 ? static_cast<std::size_t>(size) : 0};
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    if (pid.empty()) return "another process";
    if (pid == std::to_string(::getpid())) return "this process (pid " + pid + ", another sluice::cluster)";
    return "process " + pid;
  }

  void write_holder() const {
    const std::string pid = std::to_string(::getpid()) + "\n";
    // Best effort: the lock itself is what excludes others; the pid only explains the error.
    if (::ftruncate(fd_, 0) == 0) static_cast<void>(::pwrite(fd_, pid.data(), pid.size(), 0));
  }

  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace sluice::runtime::detail
