// timed_notifications: the article's application as a program.
//
//   timed_notifications demo [--data DIR]
//   timed_notifications run --data DIR [--tasks N] [--threads T] [--for DURATION]
//   timed_notifications schedule --data DIR --user U (--at MILLIS | --in DURATION) TEXT...
//   timed_notifications feed --data DIR --user U [--json]
//   timed_notifications stats --data DIR
//   timed_notifications backup --data DIR --to TARGET [--tasks N]
//
// `run` reads commands from standard input, one per line, and answers each with exactly one line
// on standard output, in order:
//   schedule USER DUE TEXT...   ->  ok USER DUE         (DUE: epoch millis, or +DURATION from now)
//   feed USER                   ->  feed USER ["...", ...]
//   stats                       ->  stats {"pending":..., "delivered":..., "queue_depths":[...]}
//   anything malformed          ->  error <what was wrong>
// It stops at the end of input, on SIGINT or SIGTERM, or after --for.
//
// `backup` copies DIR into TARGET (missing or empty), which the other commands accept as --data.
// A `run` holds DIR's lock, so `backup` works while none serves DIR; a program serving a
// directory backs it up online with sluice::cluster::backup.

#include "durations.hpp"
#include "service.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;

using timed_notifications::service;

nlohmann::json to_json(const timed_notifications::service_stats& stats) {
  return {{"pending", stats.pending}, {"delivered", stats.delivered}, {"queue_depths", stats.queue_depths}};
}

// ---- run: one line in, one line out ---------------------------------------------------------

/// What follows the first `words` words of `line`, leading blanks dropped: the post's text.
std::string text_after(const std::string& line, int words) {
  std::istringstream in{line};
  std::string skipped;
  for (int i = 0; i < words; ++i) in >> skipped;
  std::string rest;
  std::getline(in >> std::ws, rest);
  return rest;
}

std::string answer(service& s, const std::string& line) {
  std::istringstream words{line};
  std::string command, user, due_text;
  words >> command;
  if (command == "schedule") {
    if (!(words >> user >> due_text)) return "error schedule needs USER DUE TEXT";
    const auto due = timed_notifications::parse_due(due_text, s.now());
    if (!due) return "error bad DUE '" + due_text + "': epoch milliseconds or +DURATION (+1500ms, +5s, +2m)";
    const std::string text = text_after(line, 3);
    if (text.empty()) return "error schedule needs a TEXT after DUE";
    s.schedule(user, *due, text);
    return "ok " + user + " " + std::to_string(*due);
  }
  if (command == "feed") {
    if (!(words >> user)) return "error feed needs USER";
    return "feed " + user + " " + nlohmann::json(s.feed(user)).dump();
  }
  if (command == "stats") return "stats " + to_json(s.stats()).dump();
  if (command.empty()) return "error empty command";
  return "error unknown command '" + command + "': schedule, feed or stats";
}

/// Lines from standard input, and the reasons to stop: end of input, a signal, the deadline.
class input {
 public:
  input() {
    std::thread([this] {
      for (std::string line; std::getline(std::cin, line);) push(std::move(line));
      finish();
    }).detach();  // a read cannot be interrupted; the process ends without it
  }

  /// The next line, or nullopt when it is time to stop.
  std::optional<std::string> next(std::optional<std::chrono::steady_clock::time_point> deadline) {
    std::unique_lock lock{mutex_};
    auto ready = [&] { return !lines_.empty() || ended_ || signalled(); };
    if (deadline) changed_.wait_until(lock, *deadline, ready);
    else
      while (!ready()) changed_.wait_for(lock, std::chrono::milliseconds{100});  // to notice signals
    if (lines_.empty() || signalled()) return std::nullopt;
    std::string line = std::move(lines_.front());
    lines_.pop_front();
    return line;
  }

  static void on_signal(int) { stop_requested().store(true); }

 private:
  static std::atomic<bool>& stop_requested() {
    static std::atomic<bool> flag{false};
    return flag;
  }
  static bool signalled() { return stop_requested().load(); }

  void push(std::string line) {
    std::lock_guard lock{mutex_};
    lines_.push_back(std::move(line));
    changed_.notify_one();
  }
  void finish() {
    std::lock_guard lock{mutex_};
    ended_ = true;
    changed_.notify_one();
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> lines_;
  bool ended_ = false;
};

int run(const fs::path& dir, std::uint32_t tasks, std::uint32_t threads, const std::string& for_text) {
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (!for_text.empty()) {
    const auto duration = timed_notifications::parse_duration(for_text);
    if (!duration) throw CLI::ValidationError("--for", "expects a DURATION such as 1500ms, 5s or 2m");
    deadline = std::chrono::steady_clock::now() + *duration;
  }
  service s{dir, tasks, threads};
  std::signal(SIGINT, input::on_signal);
  std::signal(SIGTERM, input::on_signal);
  std::cerr << "timed_notifications: running on " << dir.string() << '\n';
  input lines;
  while (auto line = lines.next(deadline)) {
    std::string reply;
    try {
      reply = answer(s, *line);
    } catch (const std::exception& e) {
      reply = std::string{"error "} + e.what();
    }
    std::cout << reply << std::endl;  // one line per command, flushed: the caller waits for it
  }
  return 0;
}

// ---- one-shot commands and the demo ---------------------------------------------------------

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
  service s{dir.path(), 4, 2};
  const std::int64_t start = s.now();
  struct post {
    std::string text;
    std::int64_t due;
  };
  const std::vector<post> schedule{{"Post 1", start + 1500}, {"Post 2", start + 800}, {"Post 3", start + 2000}};
  std::cout << "data directory: " << dir.path().string() << '\n';
  for (const auto& p : schedule) {
    s.schedule("alice", p.due, p.text);
    std::cout << "scheduled \"" << p.text << "\" for alice, due in " << (p.due - start) << " ms\n";
  }
  // Watch the feed: a demo polls; a service answers when asked.
  std::size_t shown = 0;
  while (shown < schedule.size()) {
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
    const auto feed = s.feed("alice");
    const std::int64_t now = s.now();
    for (; shown < feed.size(); ++shown) {
      std::int64_t due = 0;
      for (const auto& p : schedule)
        if (p.text == feed[shown]) due = p.due;
      std::cout << "delivered \"" << feed[shown] << "\" at +" << (now - start) << " ms, " << (now - due)
                << " ms after due\n";
    }
  }
  std::cout << "alice's feed: " << nlohmann::json(s.feed("alice")).dump() << '\n';
  return 0;
}

std::string joined(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& w : words) text += (text.empty() ? "" : " ") + w;
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"timed_notifications: posts scheduled for the future, delivered to per-user feeds"};
  app.require_subcommand(1);
  std::string data, user, in, for_text, target;
  std::optional<std::int64_t> at;
  std::uint32_t tasks = 4, threads = 2;
  bool json = false;
  std::vector<std::string> text;
  auto add_store = [&](CLI::App* command) {
    command->add_option("--data", data, "data directory")->required();
    command->add_option("--tasks", tasks, "tasks, fixed when the directory is created")->capture_default_str();
  };

  auto* demo_command = app.add_subcommand("demo", "schedule three posts for alice and watch them land");
  demo_command->add_option("--data", data, "data directory (default: a fresh temporary one)");
  auto* run_command = app.add_subcommand("run", "serve commands from standard input");
  add_store(run_command);
  run_command->add_option("--threads", threads, "worker threads")->capture_default_str();
  run_command->add_option("--for", for_text, "stop after this DURATION (1500ms, 5s, 2m)");
  auto* schedule_command = app.add_subcommand("schedule", "schedule one post");
  add_store(schedule_command);
  schedule_command->add_option("--user", user, "user")->required();
  auto* at_option = schedule_command->add_option("--at", at, "due time, epoch milliseconds");
  schedule_command->add_option("--in", in, "due after this DURATION")->excludes(at_option);
  schedule_command->add_option("text", text, "the post")->required();
  auto* feed_command = app.add_subcommand("feed", "print a user's feed");
  add_store(feed_command);
  feed_command->add_option("--user", user, "user")->required();
  feed_command->add_flag("--json", json, "print a JSON array");
  auto* stats_command = app.add_subcommand("stats", "print pending and delivered counts as JSON");
  add_store(stats_command);
  auto* backup_command = app.add_subcommand("backup", "copy the data directory, consistently, into an empty one");
  add_store(backup_command);
  backup_command->add_option("--to", target, "where the copy goes: a missing or empty directory")->required();
  CLI11_PARSE(app, argc, argv);

  try {
    if (demo_command->parsed()) return demo(data);
    if (run_command->parsed()) return run(data, tasks, threads, for_text);
    service s{data, tasks, 1};
    if (schedule_command->parsed()) {
      std::optional<std::int64_t> due = at;
      if (!due && !in.empty()) due = timed_notifications::parse_due("+" + in, s.now());
      if (!due) throw CLI::ValidationError("schedule", "give --at MILLIS or --in DURATION (1500ms, 5s, 2m)");
      s.schedule(user, *due, joined(text));
      std::cout << "ok " << user << ' ' << *due << '\n';
    } else if (feed_command->parsed()) {
      const auto feed = s.feed(user);
      if (json) std::cout << nlohmann::json(feed).dump() << '\n';
      else
        for (const auto& post : feed) std::cout << post << '\n';
    } else if (stats_command->parsed()) {
      std::cout << to_json(s.stats()).dump() << '\n';
    } else if (backup_command->parsed()) {
      s.backup(target);
      std::cout << "backed up " << data << " to " << target << '\n';
    }
  } catch (const CLI::Error& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "timed_notifications: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
