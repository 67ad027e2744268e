// The TopologyScheduler's cases on a real cluster: 4 tasks over 2 worker threads, simulated time,
// every tick and every round of a backlog through the runtime's queues, group commit and hops.
// (tests/unit/topology_scheduler.cpp runs the same module through plan_runner, where a tick can
// be emitted at any time, the largest included.)

#include "runtime_fixture.hpp"
#include "scheduler_module.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using sluice::path;
using sluice_test::scheduler_module;
using strings = std::vector<std::string>;

namespace {

/// A cluster on simulated time with scheduler_module launched, and what the tests ask of it.
class scheduler_cluster {
 public:
  scheduler_cluster(const sluice_test::temp_dir& dir, std::int64_t start_millis, std::size_t max_fetch = 1000)
      : launched_(dir, start_millis, max_fetch) {}

  void schedule(const std::string& user, const std::string& post, std::int64_t due) { posts_.append({user, post, due}); }
  void cancel(const std::string& user, std::int64_t due, std::int64_t seq) { cancels_.append({user, due, seq}); }
  void advance_to(std::int64_t millis) { cluster_.advance_time(std::chrono::milliseconds{millis - cluster_.now_millis()}); }
  [[nodiscard]] strings feed(const std::string& user) const { return feeds_.select(path::key(user).all()); }

  [[nodiscard]] std::size_t pending() const {
    std::size_t n = 0;
    for (std::uint32_t task = 0; task < items_.task_count(); ++task) n += items_.select_one(task, path::view(sluice::size));
    return n;
  }

 private:
  struct launched_cluster {
    launched_cluster(const sluice_test::temp_dir& dir, std::int64_t start_millis, std::size_t max_fetch)
        : cluster{dir.path(), options(start_millis)} {
      cluster.launch<scheduler_module>({.tasks = 4, .threads = 2}, scheduler_module{max_fetch});
    }
    static sluice::cluster_options options(std::int64_t start_millis) {
      sluice::cluster_options options = sluice_test::runtime_options();
      options.simulated_start_millis = start_millis;
      return options;
    }
    sluice::cluster cluster;
  };

  launched_cluster launched_;
  sluice::cluster& cluster_ = launched_.cluster;
  decltype(cluster_.depot(scheduler_module::scheduled_posts)) posts_ = cluster_.depot(scheduler_module::scheduled_posts);
  decltype(cluster_.depot(scheduler_module::cancels)) cancels_ = cluster_.depot(scheduler_module::cancels);
  decltype(cluster_.pstate(scheduler_module::feeds)) feeds_ = cluster_.pstate(scheduler_module::feeds);
  decltype(cluster_.pstate(scheduler_module::scheduler().items())) items_ =
      cluster_.pstate(scheduler_module::scheduler().items());
};

std::string user_name(int u) { return "user-" + std::to_string(u); }

}  // namespace

TEST_CASE("on a cluster: a due time in the past fires on the next tick; equal times in scheduling order; negative times",
          "[scheduler]") {
  sluice_test::temp_dir dir;
  scheduler_cluster c{dir, -10'000};
  constexpr auto far = std::numeric_limits<std::int64_t>::max();
  c.schedule("bob", "last", far);
  c.schedule("bob", "a", -5000);
  c.schedule("bob", "b", -5000);
  c.schedule("bob", "c", -6000);
  c.schedule("bob", "already due", -20'000);
  c.schedule("carol", "x", -5000);
  CHECK(c.feed("bob").empty());  // nothing fires between ticks
  c.advance_to(-9999);
  CHECK(c.feed("bob") == strings{"already due"});
  c.advance_to(-5001);
  CHECK(c.feed("bob") == strings{"already due", "c"});
  c.advance_to(-5000);
  CHECK(c.feed("bob") == strings{"already due", "c", "a", "b"});
  CHECK(c.feed("carol") == strings{"x"});
  c.advance_to(20'000);
  CHECK(c.feed("bob").size() == 4);
  CHECK(c.pending() == 1);  // "last", due at the end of time
}

TEST_CASE("on a cluster: a cancelled item never fires", "[scheduler]") {
  sluice_test::temp_dir dir;
  scheduler_cluster c{dir, 0};
  c.schedule("dan", "keep", 100);  // seq 0 on dan's task
  c.schedule("dan", "drop", 100);  // seq 1
  c.cancel("dan", 100, 1);
  c.cancel("dan", 100, 7);  // nothing there: a no-op
  CHECK(c.pending() == 1);
  c.advance_to(100);
  CHECK(c.feed("dan") == strings{"keep"});
  CHECK(c.pending() == 0);
}

TEST_CASE("on a cluster: a backlog larger than max_fetch drains in rounds, oldest first, before advance_time returns",
          "[scheduler]") {
  sluice_test::temp_dir dir;
  scheduler_cluster c{dir, 0, /*max_fetch=*/10};
  constexpr int users = 6;
  constexpr int posts = 45;
  for (int u = 0; u < users; ++u)
    for (int p = 0; p < posts; ++p) c.schedule(user_name(u), std::to_string(p), 1000 - p);
  c.advance_to(5000);
  CHECK(c.pending() == 0);
  for (int u = 0; u < users; ++u) {
    strings oldest_first;
    for (int p = posts - 1; p >= 0; --p) oldest_first.push_back(std::to_string(p));
    CHECK(c.feed(user_name(u)) == oldest_first);
  }
}

TEST_CASE("on a cluster: many users across tasks each see exactly their posts due so far, at every tick", "[scheduler]") {
  sluice_test::temp_dir dir;
  scheduler_cluster c{dir, 0, /*max_fetch=*/7};
  constexpr int users = 60;
  constexpr int posts = 5;
  const auto due = [](int u, int p) { return std::int64_t{p} * 700 + u * 10; };
  for (int u = 0; u < users; ++u)
    for (int p = posts - 1; p >= 0; --p) c.schedule(user_name(u), std::to_string(p), due(u, p));
  for (std::int64_t now = 350; now <= 3500; now += 350) {
    c.advance_to(now);
    for (int u = 0; u < users; ++u) {
      strings expected;
      for (int p = 0; p < posts; ++p)
        if (due(u, p) <= now) expected.push_back(std::to_string(p));
      INFO("at " << now << ", " << user_name(u));
      CHECK(c.feed(user_name(u)) == expected);
    }
  }
  CHECK(c.pending() == 0);
}

TEST_CASE("on a cluster: what is scheduled before a stop fires after the restart, on its first tick, once", "[scheduler]") {
  sluice_test::temp_dir dir;
  {
    scheduler_cluster c{dir, 0};
    c.schedule("erin", "before the stop", 500);
    c.schedule("erin", "during the stop", 3000);
    c.schedule("erin", "after the restart", 9000);
    c.advance_to(1000);
    CHECK(c.feed("erin") == strings{"before the stop"});
  }
  scheduler_cluster c{dir, 8000};  // the clock has moved on while the cluster was down
  CHECK(c.feed("erin") == strings{"before the stop"});
  c.advance_to(8001);
  CHECK(c.feed("erin") == strings{"before the stop", "during the stop"});
  c.advance_to(9000);
  CHECK(c.feed("erin") == strings{"before the stop", "during the stop", "after the restart"});
  c.advance_to(12'000);
  CHECK(c.feed("erin").size() == 3);
  CHECK(c.pending() == 0);
}
