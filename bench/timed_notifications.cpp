// Timed notifications, end to end: the article's TimedNotificationsModule against the same work
// written by hand over raw LMDB, and against a Redis sorted-set delay queue with appendfsync
// always. Each peer runs in a fresh process of this program (so that its peak RSS is its own) on
// a fresh temporary directory, one after another; this process prints a Markdown table.
//
// The workload (bench/timed_notifications/workload.hpp): `users` users; `posts` posts due evenly
// over `spread` and a `burst` of posts due within one second a quarter into it, all scheduled
// first by `clients` concurrent clients with `window` schedules each in flight; then the posts
// come due and are delivered by a 1 s tick; half-way through the spread the peer is stopped for
// `stop` and started again, and the posts that came due meanwhile (the backlog) are delivered.
// Every feed is then read back: each post must be in its user's feed exactly once.

#include "timed_notifications/measures.hpp"
#include "timed_notifications/raw_peer.hpp"
#include "timed_notifications/redis_peer.hpp"
#include "timed_notifications/run.hpp"
#include "timed_notifications/sluice_peer.hpp"
#include "timed_notifications/workload.hpp"

#include "../examples/timed_notifications/durations.hpp"
#include "../tests/support/child_process.hpp"
#include "../tests/support/temp_dir.hpp"

#include <CLI/CLI.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace timed_notifications_bench;

constexpr double goal_vs_raw = 0.7;     // sluice / raw LMDB schedule rate, at least
constexpr double goal_vs_redis = 2.0;   // sluice / Redis schedule rate, at least
constexpr double goal_p99_ms = 1100;    // lateness of posts due while running, burst included
constexpr double goal_drain_factor = 10;  // backlog drain, in steady due rates

// ---- one peer, in this process ---------------------------------------------------------------

template <class Peer>
peer_result run_in_temp_dir(const std::string& name, const settings& s) {
  const sluice_test::temp_dir dir;
  Peer peer{dir.path(), s};
  return run_workload(name, peer, s);
}

peer_result run_peer(const std::string& name, const settings& s) {
  if (name == "sluice") return run_in_temp_dir<sluice_peer>(name, s);
  if (name == "raw") return run_in_temp_dir<raw_peer>(name, s);
  if (name == "redis") return run_in_temp_dir<redis_peer>(name, s);
  throw std::invalid_argument("unknown peer: " + name + " (sluice, raw or redis)");
}

// ---- each peer in a child process ------------------------------------------------------------

/// Runs this program again with --peer `name` and the same options; echoes what it prints and
/// returns its result line.
peer_result run_child(const std::string& name, const std::vector<std::string>& arguments) {
  std::vector<std::string> argv{std::filesystem::read_symlink("/proc/self/exe").string(), "--peer", name};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  sluice_test::child_process child{argv};
  sluice_test::line_reader lines{child.output(), std::chrono::hours{1}};
  std::optional<peer_result> result;
  while (const auto line = lines.next()) {
    if (line->starts_with("result ")) result = from_line(*line);
    else std::cout << *line << std::endl;
  }
  const int status = child.reap();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !result)
    throw std::runtime_error("the " + name + " run " + sluice_test::describe_wait_status(status));
  return *result;
}

// ---- the machine -----------------------------------------------------------------------------

std::string load_average() {
  double load[3] = {};
  if (getloadavg(load, 3) != 3) return "unknown";
  char text[64];
  std::snprintf(text, sizeof text, "%.2f %.2f %.2f", load[0], load[1], load[2]);
  return text;
}

/// The 1-minute load average: other work on the machine while a peer ran.
double load_now() {
  double load = 0;
  return getloadavg(&load, 1) == 1 ? load : -1;
}

/// "ext4 on /dev/vda": the mount that holds `dir`, from /proc/self/mounts.
std::string filesystem_of(const std::filesystem::path& dir) {
  const std::string where = std::filesystem::canonical(dir).string();
  std::ifstream mounts{"/proc/self/mounts"};
  std::string device, mount_point, type, rest, best;
  std::size_t best_length = 0;
  while (mounts >> device >> mount_point >> type && std::getline(mounts, rest)) {
    const bool holds = where.starts_with(mount_point) &&
                       (mount_point == "/" || where.size() == mount_point.size() || where[mount_point.size()] == '/');
    if (holds && mount_point.size() >= best_length) {
      best_length = mount_point.size();
      best = type + " on " + device;
    }
  }
  return best.empty() ? "unknown" : best;
}

// ---- the report ------------------------------------------------------------------------------

std::string lateness(double p50, double p99, double max) {
  char text[64];
  std::snprintf(text, sizeof text, "%.0f / %.0f / %.0f", p50, p99, max);
  return text;
}

/// A peer's result, and the machine's load when its run started and ended.
struct peer_run {
  peer_result result;
  double load_at_start;
  double load_at_end;
};

void print_results(const std::vector<std::string>& names, const std::map<std::string, peer_run>& runs) {
  std::printf("\n| peer | schedules acked/s | lateness p50 / p99 / max, ms: posts due while running | "
              "p99 without the burst | all posts, backlog included | backlog | backlog drained/s | peak RSS MiB "
              "| lost | duplicated | load average at start, end |\n");
  std::printf("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  for (const std::string& name : names) {
    const auto& [r, load_at_start, load_at_end] = runs.at(name);
    std::printf("| %s | %.0f | %s | %.0f | %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.2f, %.2f |\n", name.c_str(),
                r.schedule_rate(), lateness(r.running_p50_ms, r.running_p99_ms, r.running_max_ms).c_str(),
                r.steady_p99_ms, lateness(r.all_p50_ms, r.all_p99_ms, r.all_max_ms).c_str(), r.backlog, r.drain_rate(),
                r.peak_rss_kib / 1024, r.lost, r.duplicated, load_at_start, load_at_end);
  }
}

void print_goal(const char* goal, const char* measured, bool met) {
  std::printf("| %s | %s | %s |\n", goal, measured, met ? "yes" : "no");
}

void print_goals(const std::map<std::string, peer_run>& runs, const settings& s) {
  const auto found = runs.find("sluice");
  if (found == runs.end()) return;
  const peer_result& ours = found->second.result;
  char measured[96];
  std::printf("\n| goal (sluice) | measured | met? |\n| --- | ---: | --- |\n");
  for (const auto& [peer, goal] : {std::pair{"raw", goal_vs_raw}, std::pair{"redis", goal_vs_redis}}) {
    const auto other = runs.find(peer);
    if (other == runs.end()) continue;
    const double ratio = ours.schedule_rate() / other->second.result.schedule_rate();
    char text[96];
    std::snprintf(text, sizeof text, "schedule rate ≥ %.1fx %s", goal, peer == std::string("raw") ? "raw LMDB" : "Redis");
    std::snprintf(measured, sizeof measured, "%.2fx", ratio);
    print_goal(text, measured, ratio >= goal);
  }
  std::snprintf(measured, sizeof measured, "%.0f ms", ours.running_p99_ms);
  print_goal("p99 lateness ≤ 1100 ms, burst included", measured, ours.running_p99_ms <= goal_p99_ms);
  const double steady_rate = static_cast<double>(s.posts) / (static_cast<double>(s.spread.count()) / 1000);
  std::snprintf(measured, sizeof measured, "%.1fx (%.0f/s)", ours.drain_rate() / steady_rate, ours.drain_rate());
  char goal[96];
  std::snprintf(goal, sizeof goal, "backlog drain ≥ %.0fx the steady due rate (%.0f/s)", goal_drain_factor, steady_rate);
  print_goal(goal, measured, ours.drain_rate() >= goal_drain_factor * steady_rate);
}

// ---- the command line ------------------------------------------------------------------------

/// A CLI11 option taking a DURATION ("60s", "500ms", "2m").
CLI::Option* add_duration(CLI::App& app, const char* name, millis& value, const char* description) {
  return app
      .add_option_function<std::string>(
          name,
          [&value, name](const std::string& text) {
            const auto parsed = timed_notifications::parse_duration(text);
            if (!parsed) throw CLI::ValidationError(name, "not a duration: " + text);
            value = *parsed;
          },
          description)
      ->default_str(std::to_string(value.count()) + "ms");
}

}  // namespace

int main(int argc, char** argv) {
  settings s;
  std::vector<std::string> peers{"sluice", "raw", "redis"};
  std::string peer;
  CLI::App app{"Timed notifications end to end: sluice's TimedNotificationsModule, the same work over raw LMDB, "
               "and a Redis delay queue (appendfsync always), each in its own process, one after another."};
  app.add_option("--users", s.users, "users")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--posts", s.posts, "posts due evenly over --spread")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--burst", s.burst, "posts due within one second, a quarter into the spread")->capture_default_str();
  add_duration(app, "--spread", s.spread, "the time over which the posts come due");
  add_duration(app, "--stop", s.stop, "how long each peer is down, from half-way through the spread");
  add_duration(app, "--lead", s.lead, "from the start of scheduling to the first due time (default: 5 s + 1 s per 15,000 posts)");
  app.add_option("--clients", s.clients, "concurrent scheduling clients")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--window", s.window, "schedules each client keeps in flight")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--tasks", s.tasks, "sluice and raw LMDB tasks")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--threads", s.threads, "sluice worker and raw LMDB writer threads")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--seed", s.seed, "users and scheduling order")->capture_default_str();
  app.add_option("--peers", peers, "which peers, in this order")->delimiter(',')->check(CLI::IsMember({"sluice", "raw", "redis"}))->capture_default_str();
  app.add_option("--peer", peer, "run only this peer, in this process (what each child process does)");
  CLI11_PARSE(app, argc, argv);

  try {
    if (!peer.empty()) {
      std::cout << to_line(run_peer(peer, s)) << std::endl;
      return 0;
    }
    const std::vector<std::string> arguments(argv + 1, argv + argc);
    const std::string load_before = load_average();
    std::map<std::string, peer_run> runs;
    for (const std::string& name : peers) {
      const double load_at_start = load_now();
      const peer_result result = run_child(name, arguments);
      runs[name] = {result, load_at_start, load_now()};
    }
    const std::string load_after = load_average();

    std::printf("\n%zu users, %zu posts over %.0f s, a burst of %zu, a stop of %.0f s; %zu clients x %zu in flight; "
                "sluice and raw LMDB: %u tasks, %u threads\n",
                s.users, s.posts, s.spread.count() / 1000.0, s.burst, s.stop.count() / 1000.0, s.clients, s.window,
                s.tasks, s.threads);
    std::printf("machine: %u CPUs, temporary directory on %s; load average before %s, after %s\n",
                std::thread::hardware_concurrency(), filesystem_of(std::filesystem::temp_directory_path()).c_str(),
                load_before.c_str(), load_after.c_str());
    print_results(peers, runs);
    print_goals(runs, s);
    for (const auto& [name, run] : runs)
      if (run.result.schedule_overrun_ms > 0)
        std::printf("\nnote: %s was still scheduling %.0f ms after the first post was due (raise --lead)\n",
                    name.c_str(), run.result.schedule_overrun_ms);
    for (const auto& [name, run] : runs) {
      if (!run.result.exact()) {
        std::cerr << "bench_timed_notifications: " << name << " lost, duplicated or misdelivered posts\n";
        return 1;
      }
    }
  } catch (const std::exception& e) {
    std::cerr << "bench_timed_notifications: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
