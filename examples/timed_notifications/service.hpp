#pragma once
// The TimedNotificationsModule running on a data directory, and what the program's commands ask
// of it. Its definition (service.cpp) is the one translation unit that instantiates the module,
// so the command line (main.cpp) compiles without sluice.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace timed_notifications {

struct service_stats {
  std::size_t pending = 0;    // scheduled, not yet delivered
  std::size_t delivered = 0;  // posts in all feeds
  std::vector<std::size_t> queue_depths;  // events waiting, by task
};

class service {
 public:
  /// Opens (creating if needed) the data directory and launches the module on it.
  service(const std::filesystem::path& dir, std::uint32_t tasks, std::uint32_t threads);
  ~service();
  service(const service&) = delete;
  service& operator=(const service&) = delete;

  /// The cluster's clock, in epoch milliseconds.
  [[nodiscard]] std::int64_t now() const;

  /// Returns once the post is durable and scheduled.
  void schedule(const std::string& user, std::int64_t due, const std::string& text);

  [[nodiscard]] std::vector<std::string> feed(const std::string& user) const;
  [[nodiscard]] service_stats stats() const;

  /// A consistent copy of the data directory in `target` (missing or empty).
  void backup(const std::filesystem::path& target) const;

 private:
  struct running;
  std::unique_ptr<running> running_;
};

}  // namespace timed_notifications
