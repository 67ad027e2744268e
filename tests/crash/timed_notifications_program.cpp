// The timed_notifications program itself, killed with SIGKILL again and again. Each run of
// `timed_notifications run` is sent a batch of `schedule` commands for many users, with due times
// that fall before, during and after the kills; the test reads a number of `ok` answers drawn
// from a fixed seed and kills the program. A last run waits until nothing is pending and reads
// every feed: each acknowledged post is in its user's feed exactly once, each unacknowledged one at
// most once, and each feed is in due order.

#include "child_process.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using sluice_test::child_input;
using sluice_test::child_process;
using sluice_test::describe_wait_status;

struct scheduled_post {
  std::string user;
  std::int64_t due;
  std::string text;  // "post-<number>": tells the test which post a feed entry is

  [[nodiscard]] std::string command() const { return "schedule " + user + " " + std::to_string(due) + " " + text; }
  [[nodiscard]] std::string acknowledgement() const { return "ok " + user + " " + std::to_string(due); }
};

std::int64_t epoch_millis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// One `timed_notifications run` on the directory: commands in, one answer line out for each.
class program {
 public:
  explicit program(const fs::path& dir)
      : process_({SLUICE_TIMED_NOTIFICATIONS, "run", "--data", dir.string(), "--tasks", "4", "--threads", "2"},
                 child_input::piped),
        answers_(process_.output()) {}

  void send(const std::string& command) { process_.write_input(command + "\n"); }

  // The next answer; nullopt once the program has ended.
  std::optional<std::string> answer() { return answers_.next(); }

  std::string ask(const std::string& command) {
    send(command);
    std::optional<std::string> line = answer();
    if (!line) throw std::runtime_error("the program ended without answering '" + command + "'");
    return *line;
  }

  int kill() { return process_.kill_and_reap(); }

  // Closes its input and waits for it to exit.
  int finish() {
    process_.close_input();
    while (answer()) {
    }
    return process_.reap();
  }

 private:
  child_process process_;
  sluice_test::line_reader answers_;
};

// What the test sent, and which of it the program acknowledged.
struct history {
  std::vector<scheduled_post> sent;  // index = post number
  std::set<std::size_t> acknowledged;
};

// The `ok` answers to read before each kill, drawn from a fixed seed: a quarter of the kills come
// within 5 answers of a start, while the program launches and recovers; the rest later.
std::vector<std::size_t> draw_kill_points(std::mt19937_64& random, unsigned kills, std::size_t batch) {
  std::vector<std::size_t> points;
  for (unsigned kill = 0; kill < kills; ++kill)
    points.push_back(random() % 4 == 0 ? random() % 6 : 6 + random() % (batch - 6));
  return points;
}

// Starts the program, sends `batch` new posts, reads `answers_before_kill` answers and kills it.
// The answers it wrote before dying count as acknowledgements too.
void run_and_kill(const fs::path& dir, history& sent, std::vector<scheduled_post> batch,
                  std::size_t answers_before_kill) {
  program run{dir};
  const std::size_t first = sent.sent.size();
  for (const scheduled_post& post : batch) {
    run.send(post.command());
    sent.sent.push_back(post);
  }
  std::size_t next = first;
  const auto take = [&](const std::string& line) {
    REQUIRE(next < sent.sent.size());
    REQUIRE(line == sent.sent[next].acknowledgement());
    sent.acknowledged.insert(next++);
  };
  for (std::size_t n = 0; n < answers_before_kill; ++n) {
    const std::optional<std::string> line = run.answer();
    if (!line) FAIL("the program " << describe_wait_status(run.kill()) << " after " << n << " answers");
    take(*line);
  }
  const int status = run.kill();
  INFO("the program " << describe_wait_status(status) << " before the test killed it");
  REQUIRE((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL));
  while (const std::optional<std::string> line = run.answer()) take(*line);
}

std::size_t pending(program& run) {
  const std::string answer = run.ask("stats");
  REQUIRE(answer.starts_with("stats "));
  return nlohmann::json::parse(answer.substr(6)).at("pending").get<std::size_t>();
}

std::vector<std::string> feed(program& run, const std::string& user) {
  const std::string answer = run.ask("feed " + user);
  const std::string prefix = "feed " + user + " ";
  REQUIRE(answer.starts_with(prefix));
  return nlohmann::json::parse(answer.substr(prefix.size())).get<std::vector<std::string>>();
}

// Every way the feeds break the promise, one line each.
std::vector<std::string> violations(const std::map<std::string, std::vector<std::string>>& feeds, const history& sent) {
  std::vector<std::string> found;
  std::map<std::size_t, unsigned> deliveries;
  for (const auto& [user, posts] : feeds) {
    std::size_t previous_due_order = 0;
    bool first = true;
    for (const std::string& text : posts) {
      const std::size_t number = text.starts_with("post-") ? std::stoul(text.substr(5)) : sent.sent.size();
      if (number >= sent.sent.size() || sent.sent[number].user != user) {
        found.push_back(user + "'s feed holds '" + text + "', which was never scheduled for " + user);
        continue;
      }
      ++deliveries[number];
      // Due times grow with the post number, so due order is number order.
      if (!first && number <= previous_due_order)
        found.push_back(user + "'s feed has '" + text + "' after post-" + std::to_string(previous_due_order));
      previous_due_order = number;
      first = false;
    }
  }
  for (const std::size_t number : sent.acknowledged)
    if (deliveries[number] != 1)
      found.push_back("post-" + std::to_string(number) + " (acknowledged) delivered " + std::to_string(deliveries[number]) + " times");
  for (const auto& [number, times] : deliveries)
    if (times > 1 && !sent.acknowledged.contains(number))
      found.push_back("post-" + std::to_string(number) + " (unacknowledged) delivered " + std::to_string(times) + " times");
  return found;
}

}  // namespace

TEST_CASE("timed_notifications run, killed with SIGKILL six times: every acknowledged post lands exactly once, in due order",
          "[crash]") {
  constexpr unsigned kills = 6;
  constexpr std::size_t users = 40;
  constexpr std::size_t batch_size = 150;
  constexpr std::int64_t spacing_millis = 4;  // between the due times of consecutive posts
  std::mt19937_64 random{0x5eed'0003};
  sluice_test::temp_dir dir;
  history sent;

  // Due times start half a second from now and grow by post number: some come due while the
  // program runs, some while it is dead (delivered late, after the restart), some at the end.
  const std::int64_t first_due = epoch_millis() + 500;
  const auto make_batch = [&] {
    std::vector<scheduled_post> batch;
    for (std::size_t i = 0; i < batch_size; ++i) {
      const std::size_t number = sent.sent.size() + i;
      batch.push_back({"user-" + std::to_string(random() % users),
                       first_due + static_cast<std::int64_t>(number) * spacing_millis, "post-" + std::to_string(number)});
    }
    return batch;
  };
  for (const std::size_t answers : draw_kill_points(random, kills, batch_size)) run_and_kill(dir.path(), sent, make_batch(), answers);

  program last{dir.path()};
  // Real time has to reach the last due time and a tick after it; the program is asked, not
  // assumed, when that has happened.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds{60};
  while (pending(last) != 0) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
  std::map<std::string, std::vector<std::string>> feeds;
  std::size_t delivered = 0;
  for (std::size_t u = 0; u < users; ++u) {
    const std::string user = "user-" + std::to_string(u);
    feeds[user] = feed(last, user);
    delivered += feeds[user].size();
  }
  REQUIRE(last.finish() == 0);

  const std::vector<std::string> found = violations(feeds, sent);
  INFO(sent.sent.size() << " posts sent, " << sent.acknowledged.size() << " acknowledged, " << delivered << " delivered");
  std::ostringstream first_lines;
  for (std::size_t i = 0; i < found.size() && i < 20; ++i) first_lines << "\n  " << found[i];
  INFO(found.size() << " violations" << first_lines.str());
  CHECK(found.empty());
  // The kills must have cut into the work: some posts were sent but never acknowledged.
  CHECK(sent.acknowledged.size() < sent.sent.size());
  CHECK(sent.acknowledged.size() > sent.sent.size() / 4);
}
