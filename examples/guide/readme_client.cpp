// readme_client: the client README.md shows, as a program. It launches the timed_notifications
// module with default options on a fresh data directory, schedules a post a minute ahead and
// queries the feed. Exits 0 only if every answer is the expected one.

#include <timed_notifications/timed_notifications_module.hpp>

#include <sluice/sluice.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <random>
#include <string>
#include <system_error>
#include <vector>

namespace {

bool run(const std::filesystem::path& data_dir) {
  // snippet: client
  sluice::cluster cluster{data_dir};                         // embedded, durable, one process
  cluster.launch<TimedNotificationsModule>({.tasks = 8, .threads = 2});
  auto posts = cluster.depot(TimedNotificationsModule::scheduled_post_depot);
  const std::int64_t now_ms = cluster.now_millis();
  posts.append({"alice", "Post 1", now_ms + 60'000});        // returns once durable and scheduled
  auto feeds = cluster.pstate(TimedNotificationsModule::feeds);
  std::vector<std::string> items = feeds.select(sluice::path::key("alice").all());
  std::size_t n = feeds.select_one(sluice::path::key("alice").view(sluice::size));
  // end snippet: client
  auto scheduled = cluster.pstate(TimedNotificationsModule::scheduler().items());
  const std::size_t pending = scheduled.select_one(feeds.task_of("alice"), sluice::path::view(sluice::size));
  return items.empty() && n == 0 && pending == 1;  // due in a minute: scheduled, not delivered
}

}  // namespace

int main() {
  std::random_device entropy;
  const auto data_dir = std::filesystem::temp_directory_path() / ("sluice-readme-" + std::to_string(entropy()));
  bool right = false;
  try {
    right = run(data_dir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "readme_client: %s\n", e.what());
  }
  std::error_code ignored;
  std::filesystem::remove_all(data_dir, ignored);
  std::puts(right ? "readme_client: every answer is right" : "readme_client: wrong answer");
  return right ? 0 : 1;
}
