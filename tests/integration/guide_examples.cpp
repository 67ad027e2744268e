// The code docs/guide.md shows, run on real clusters: the guide's first module, the
// timed_notifications module on the simulated clock, and the follower index.

#include "temp_dir.hpp"

#include <guide/feed_module.hpp>
#include <guide/follows_module.hpp>
#include <timed_notifications/timed_notifications_module.hpp>

#include <sluice/sluice.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <future>
#include <map>
#include <set>
#include <string>
#include <vector>

using sluice::path;

namespace {

// snippet: test-options
/// A test's cluster options: no fsync at commit, since a test's data need not survive a power
/// cut, and a 256 MiB map per task instead of the default 1 TiB of address space, more than a
/// ThreadSanitizer build can reserve for several tasks.
sluice::cluster_options test_options(sluice::cluster_options options = {}) {
  options.storage.durable = false;
  options.storage.map_size = std::size_t{256} << 20;
  return options;
}
// end snippet: test-options

}  // namespace

TEST_CASE("guide: the first module appends each post to its author's feed", "[guide]") {
  sluice_test::temp_dir dir;
  // snippet: first-run
  sluice::cluster cluster{dir.path(), test_options()};
  cluster.launch<FeedModule>({.tasks = 4, .threads = 2});
  auto posts = cluster.depot(FeedModule::post_depot);
  posts.append({"alice", "hello"});        // returns once stored and processed
  posts.append({"alice", "second post"});
  posts.append({"bob", "hi"});

  auto feeds = cluster.pstate(FeedModule::feeds);
  CHECK(feeds.select(path::key("alice").all()) == std::vector<std::string>{"hello", "second post"});
  // end snippet: first-run

  // snippet: queries
  CHECK(feeds.select_one(path::key("alice").view(sluice::size)) == 2);  // reads the stored count
  CHECK(feeds.select_one(path::key("alice").last()) == "second post");
  CHECK(feeds.select_one(path::key("alice").nth(0)) == "hello");
  CHECK(feeds.select(path::key("carol").all()).empty());                // no posts: an empty feed
  CHECK_THROWS_AS(feeds.select_one(path::key("carol").first()), sluice::select_error);

  std::vector<std::string> texts;  // one entry read per step, for feeds too long to load at once
  for (const std::string& text : feeds.scan(path::key("alice"))) texts.push_back(text);
  CHECK(texts == std::vector<std::string>{"hello", "second post"});

  std::set<std::string> users;     // a path without a first key names the task it reads
  for (std::uint32_t task = 0; task < feeds.task_count(); ++task)
    for (const std::string& user : feeds.select(task, path::map_keys())) users.insert(user);
  CHECK(users == std::set<std::string>{"alice", "bob"});
  // end snippet: queries
  CHECK(feeds.select(feeds.task_of("alice"), path::map_keys()) == std::vector<std::string>{"alice"});
}

TEST_CASE("guide: timed notifications under the simulated clock", "[guide]") {
  sluice_test::temp_dir dir;
  // snippet: simulated-clock
  sluice::cluster cluster{dir.path(), test_options({.simulated_clock = true})};
  cluster.launch<TimedNotificationsModule>({.tasks = 4, .threads = 2});
  auto posts = cluster.depot(TimedNotificationsModule::scheduled_post_depot);
  auto feeds = cluster.pstate(TimedNotificationsModule::feeds);
  const std::int64_t start = cluster.now_millis();  // time stands still until advance_time
  posts.append({"alice", "Post 1", start + 1500});
  posts.append({"alice", "Post 2", start + 800});

  cluster.advance_time(std::chrono::milliseconds{799});  // returns once the ticks are processed
  CHECK(feeds.select(path::key("alice").all()).empty());
  cluster.advance_time(std::chrono::milliseconds{1});    // start + 800
  CHECK(feeds.select(path::key("alice").all()) == std::vector<std::string>{"Post 2"});
  cluster.advance_time(std::chrono::milliseconds{700});  // start + 1500
  CHECK(feeds.select(path::key("alice").all()) == std::vector<std::string>{"Post 2", "Post 1"});
  // end snippet: simulated-clock
}

TEST_CASE("guide: the follower index keeps both sides, each on its owner's task", "[guide][follows]") {
  sluice_test::temp_dir dir;
  // snippet: follows-run
  sluice::cluster cluster{dir.path(), test_options({.simulated_clock = true})};
  cluster.launch<FollowsModule>({.tasks = 4, .threads = 2});
  auto follows = cluster.depot(FollowsModule::follow_depot);
  follows.append(follow("ann", "bob"));
  follows.append(follow("ann", "carol"));
  follows.append(follow("dave", "bob"));
  follows.append(follow("bob", "carol"));

  auto following = cluster.pstate(FollowsModule::following);
  auto followers = cluster.pstate(FollowsModule::followers);
  CHECK(following.select(path::key("ann").map_keys()) == std::vector<std::string>{"bob", "carol"});
  CHECK(followers.select(path::key("bob").map_keys()) == std::vector<std::string>{"ann", "dave"});
  CHECK(followers.select_one(path::key("carol").view(sluice::size)) == 2);
  CHECK(followers.select(path::key("ann").map_keys()).empty());  // nobody follows ann
  // end snippet: follows-run

  // snippet: follows-since
  const std::int64_t start = cluster.now_millis();
  CHECK(followers.select_one(path::key("bob").must("ann")) == start);  // ann follows bob since start
  CHECK(followers.select(path::key("bob").must("erin")).empty());     // erin does not follow bob
  cluster.advance_time(std::chrono::minutes{1});
  follows.append(follow("ann", "bob"));                               // again: `since` moves
  CHECK(following.select_one(path::key("ann").must("bob")) == start + 60'000);
  CHECK(followers.select_one(path::key("bob").must("ann")) == start + 60'000);
  // end snippet: follows-since

  // snippet: follows-page
  // Bob's followers from "b" on, at most two: a seek and a short scan of one subindexed map.
  follows.append(follow("erin", "bob"));
  follows.append(follow("frank", "bob"));
  CHECK(followers.select(path::key("bob").sorted_map_range_from("b", 2).map_keys()) ==
        std::vector<std::string>{"dave", "erin"});
  const std::string after_erin = std::string{"erin"} + '\0';  // the least string after "erin"
  CHECK(followers.select(path::key("bob").sorted_map_range_from(after_erin, 2).map_keys()) ==
        std::vector<std::string>{"frank"});
  // end snippet: follows-page

  // snippet: follows-unfollow
  follows.append(unfollow("ann", "bob"));
  CHECK(following.select(path::key("ann").map_keys()) == std::vector<std::string>{"carol"});
  CHECK(followers.select(path::key("bob").map_keys()) == std::vector<std::string>{"dave", "erin", "frank"});
  follows.append(unfollow("ann", "zoe"));  // never followed: nothing changes
  CHECK(following.select_one(path::key("ann").view(sluice::size)) == 1);
  // end snippet: follows-unfollow

  // Bob's followers live on bob's task only, away from ann's: the hop above was a real one.
  const std::uint32_t bob_task = followers.task_of("bob");
  REQUIRE(bob_task != following.task_of("ann"));
  for (std::uint32_t task = 0; task < followers.task_count(); ++task)
    CHECK(followers.select(task, path::key("bob").map_keys()).empty() == (task != bob_task));
}

namespace {

using follow_graph = std::map<std::string, std::set<std::string>>;

/// Every user's set, read from `pstate` (following or followers) across all tasks; each user
/// must be found on the task that owns it.
template <class Client>
follow_graph read_graph(const Client& pstate) {
  follow_graph graph;
  for (std::uint32_t task = 0; task < pstate.task_count(); ++task)
    for (const auto& [user, others] : pstate.select(task, path::all())) {
      CHECK(pstate.task_of(user) == task);
      for (const auto& [other, since] : others) graph[user].insert(other);
    }
  return graph;
}

/// The same graph seen from the other side: `b` in inverted[a] for every `a` in graph[b].
follow_graph inverted(const follow_graph& graph) {
  follow_graph result;
  for (const auto& [user, others] : graph)
    for (const auto& other : others) result[other].insert(user);
  return result;
}

void wait_all(std::vector<std::future<void>>& appends) {
  for (auto& append : appends) append.get();
  appends.clear();
}

}  // namespace

TEST_CASE("guide: concurrent follows and unfollows leave both sides equal to a model", "[guide][follows]") {
  sluice_test::temp_dir dir;
  sluice::cluster cluster{dir.path(), test_options()};
  cluster.launch<FollowsModule>({.tasks = 5, .threads = 3});
  auto follows = cluster.depot(FollowsModule::follow_depot);

  const int user_count = 20;  // 254 follows, then 60 unfollows
  auto user = [](int i) { return "user-" + std::to_string(i); };
  follow_graph model;
  std::vector<std::future<void>> appends;
  for (int a = 0; a < user_count; ++a)
    for (int b = 0; b < user_count; ++b)
      if (a != b && (a * 7 + b) % 3 != 0) {
        appends.push_back(follows.append_async(follow(user(a), user(b))));
        model[user(a)].insert(user(b));
      }
  wait_all(appends);
  for (int a = 0; a < user_count; a += 2)
    for (const auto& followee : std::set<std::string>{model[user(a)]})
      if (followee.back() % 2 == 0) {
        appends.push_back(follows.append_async(unfollow(user(a), followee)));
        model[user(a)].erase(followee);
      }
  wait_all(appends);
  std::erase_if(model, [](const auto& entry) { return entry.second.empty(); });

  const follow_graph following = read_graph(cluster.pstate(FollowsModule::following));
  const follow_graph followers = read_graph(cluster.pstate(FollowsModule::followers));
  CHECK(following == model);
  CHECK(followers == inverted(model));
}
