// timed_notifications: the article's application as a program.
//
//   timed_notifications demo [--data DIR]
//       schedules three posts for alice, due 0.8 s, 1.5 s and 2 s ahead, prints each delivery as
//       it lands with how late it was, then the final feed.

#include "timed_notifications_module.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using sluice::path;

/// A fresh directory under the system temp dir, removed at the end unless the user named one.
class data_directory {
 public:
  explicit data_directory(const std::string& requested)
      : path_(requested.empty() ? fresh() : fs::path{requested}), temporary_(requested.empty()) {}
  data_directory(const data_directory&) = delete;
  data_directory& operator=(const data_directory&) = delete;
  ~data_directory() {
    std::error_code ignored;
    if (temporary_) fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  static fs::path fresh() {
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    return fs::temp_directory_path() / ("sluice-timed-notifications-" + std::to_string(stamp));
  }
  fs::path path_;
  bool temporary_;
};

int demo(const std::string& requested_dir) {
  data_directory dir{requested_dir};
  sluice::cluster cluster{dir.path()};
  cluster.launch<TimedNotificationsModule>({.tasks = 4, .threads = 2});
  auto posts = cluster.depot(TimedNotificationsModule::scheduled_post_depot);
  auto feeds = cluster.pstate(TimedNotificationsModule::feeds);

  const std::int64_t start = cluster.now_millis();
  const std::vector<ScheduledPost> schedule{{"alice", "Post 1", start + 1500},
                                            {"alice", "Post 2", start + 800},
                                            {"alice", "Post 3", start + 2000}};
  std::cout << "data directory: " << dir.path().string() << '\n';
  for (const auto& p : schedule) {
    posts.append(p);
    std::cout << "scheduled \"" << p.post << "\" for alice, due in " << (p.time_millis - start) << " ms\n";
  }

  // Watch the feed: a demo polls; a service would query when asked.
  std::size_t shown = 0;
  while (shown < schedule.size()) {
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
    const auto feed = feeds.select(path::key("alice").all());
    const std::int64_t now = cluster.now_millis();
    for (; shown < feed.size(); ++shown) {
      const auto& post = feed[shown];
      std::int64_t due = 0;
      for (const auto& p : schedule)
        if (p.post == post) due = p.time_millis;
      std::cout << "delivered \"" << post << "\" at +" << (now - start) << " ms, " << (now - due) << " ms after due\n";
    }
  }
  std::cout << "alice's feed:";
  for (const auto& post : feeds.select(path::key("alice").all())) std::cout << " \"" << post << '"';
  std::cout << '\n';
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"timed_notifications: posts scheduled for the future, delivered to per-user feeds"};
  app.require_subcommand(1);
  std::string data;
  auto* demo_command = app.add_subcommand("demo", "schedule three posts for alice and watch them land");
  demo_command->add_option("--data", data, "data directory (default: a fresh temporary one)");
  CLI11_PARSE(app, argc, argv);
  try {
    if (demo_command->parsed()) return demo(data);
  } catch (const std::exception& e) {
    std::cerr << "timed_notifications: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
