// The TopologyScheduler helper on real task environments (plan_runner.hpp drives ticks by hand).

#include "plan_runner.hpp"
#include "scheduler_module.hpp"

#include <sluice/codec/stable_hash.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using sluice::path;
using sluice_test::plan_runner;
using strings = std::vector<std::string>;

namespace {

using sluice_test::Cancel;
using sluice_test::ScheduledPost;
using sluice_test::scheduler_module;
using feeds_schema = scheduler_module::feeds_schema;

class harness {
 public:
  explicit harness(std::uint32_t tasks, std::size_t max_fetch = 1000)
      : runner_(sluice::dataflow::make_module_plan(scheduler_module{max_fetch}), tasks) {}

  void schedule(const std::string& user, const std::string& post, std::int64_t due) {
    runner_.append("*scheduled-post-depot", owner(user), ScheduledPost{user, post, due});
  }
  void cancel(const std::string& user, std::int64_t due, std::int64_t seq) {
    runner_.append("*cancels", owner(user), Cancel{user, due, seq});
  }
  void tick_at(std::int64_t now) { runner_.append("*tick", 0, now, now); }
  strings feed(const std::string& user) { return runner_.select<feeds_schema>(owner(user), 0, path::key(user).all()); }
  std::size_t pending() {
    std::size_t n = 0;
    for (std::uint32_t t = 0; t < runner_.task_count(); ++t)
      n += runner_.select<sluice::map_schema<sluice::schedule_id, ScheduledPost>>(t, 1, path::view(sluice::size)).front();
    return n;
  }
  std::size_t hops() const { return runner_.hops_sent(); }

 private:
  std::uint32_t owner(const std::string& user) const {
    return static_cast<std::uint32_t>(sluice::codec::key_hash(user) % runner_.task_count());
  }
  plan_runner runner_;
};

}  // namespace

TEST_CASE("the article's scenario: posts land in due order, within a tick", "[scheduler]") {
  harness h{4};
  h.schedule("alice", "Post 1", 1500);
  h.schedule("alice", "Post 2", 800);
  h.schedule("alice", "Post 3", 2000);
  h.tick_at(0);
  CHECK(h.feed("alice").empty());
  h.tick_at(799);
  CHECK(h.feed("alice").empty());
  h.tick_at(800);
  CHECK(h.feed("alice") == strings{"Post 2"});
  h.tick_at(1400);
  CHECK(h.feed("alice") == strings{"Post 2"});
  h.tick_at(1500);
  CHECK(h.feed("alice") == strings{"Post 2", "Post 1"});
  h.tick_at(1950);
  CHECK(h.feed("alice") == strings{"Post 2", "Post 1"});
  h.tick_at(2000);
  CHECK(h.feed("alice") == strings{"Post 2", "Post 1", "Post 3"});
  CHECK(h.pending() == 0);
}

TEST_CASE("equal due times fire in scheduling order; past, negative and huge times work", "[scheduler]") {
  harness h{3};
  constexpr auto far = std::numeric_limits<std::int64_t>::max();
  h.schedule("bob", "late", far);
  h.schedule("bob", "a", 10);
  h.schedule("bob", "b", 10);
  h.schedule("bob", "before the epoch", -5000);
  h.schedule("carol", "c", 10);
  h.tick_at(10);
  CHECK(h.feed("bob") == strings{"before the epoch", "a", "b"});
  CHECK(h.feed("carol") == strings{"c"});
  h.tick_at(far - 1);
  CHECK(h.feed("bob").size() == 3);
  h.tick_at(far);
  CHECK(h.feed("bob").back() == "late");
  CHECK(h.pending() == 0);
}

TEST_CASE("a cancelled item never fires", "[scheduler]") {
  harness h{2};
  h.schedule("dan", "keep", 100);  // seq 0 on dan's task
  h.schedule("dan", "drop", 100);  // seq 1
  h.cancel("dan", 100, 1);
  h.cancel("dan", 100, 7);  // nothing there: a no-op
  h.tick_at(100);
  CHECK(h.feed("dan") == strings{"keep"});
}

TEST_CASE("a backlog larger than max_fetch drains in rounds, oldest first", "[scheduler]") {
  harness h{1, 10};
  for (int i = 0; i < 25; ++i) h.schedule("erin", std::to_string(i), 1000 - i);
  h.tick_at(5000);
  const auto feed = h.feed("erin");
  REQUIRE(feed.size() == 25);
  for (int i = 0; i < 25; ++i) CHECK(feed[static_cast<std::size_t>(i)] == std::to_string(24 - i));
  CHECK(h.pending() == 0);
  // One task: the fan-out stays local; rounds 2 and 3 are the two continuations.
  CHECK(h.hops() == 2);
}

TEST_CASE("many users across tasks each get exactly their posts", "[scheduler]") {
  harness h{4, 7};
  for (int u = 0; u < 40; ++u)
    for (int p = 0; p < 5; ++p) h.schedule("user" + std::to_string(u), std::to_string(p), p * 100 + u);
  h.tick_at(250);
  h.tick_at(10'000);
  for (int u = 0; u < 40; ++u) CHECK(h.feed("user" + std::to_string(u)) == strings{"0", "1", "2", "3", "4"});
  CHECK(h.pending() == 0);
}
