// Processing across tasks: hops to the task owning a key, fan-out to every task, chains of hops
// that an ack waits for, handlers that throw, group commit, and the metrics that count it all.

#include "runtime_fixture.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <future>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

using sluice::path;
using sluice_test::sentence;

namespace {

constexpr sluice::launch_options four_tasks{.tasks = 4, .threads = 2};

std::uint64_t sum(const sluice::cluster_metrics& metrics, std::uint64_t sluice::task_metrics::*field) {
  std::uint64_t total = 0;
  for (const auto& task : metrics.tasks) total += task.*field;
  return total;
}

// "*items" on task 0: the source counts each item in "$$items" and hops to count it again in
// "$$hopped"; "boom..." items throw. A "gate" item blocks its worker until `gate` is ready, so
// that whatever is appended meanwhile piles up and is committed as one batch.
inline constexpr auto items = sluice::depot<"*items", std::string>([](const std::string&, std::uint32_t) { return 0u; });
inline constexpr auto item_counts = sluice::pstate<"$$items", sluice_test::count_schema>;
inline constexpr auto hopped_counts = sluice::pstate<"$$hopped", sluice_test::count_schema>;

sluice::dataflow::module_plan gated_plan(std::shared_future<void> gate) {
  using namespace sluice::dataflow;
  topology_plan topology{.name = "items", .pstates = {{"$$items"}, {"$$hopped"}}, .sources = {}, .hops = {}};
  topology.sources.push_back({"*items", [gate](event_context& context, std::string_view record) {
    const auto item = sluice::codec::decode_value<std::string>(record);
    if (item == "gate") gate.wait();
    if (item.starts_with("boom")) throw std::runtime_error(item);
    sluice_test::count(context, 0, item);
    context.hops.send(context.task, 0, std::string(record));
  }});
  topology.hops.emplace_back([](event_context& context, std::string_view payload) {
    sluice_test::count(context, 1, sluice::codec::decode_value<std::string>(payload));
  });
  return module_plan{.name = "items", .depots = {{"*items"}}, .ticks = {}, .topologies = {std::move(topology)}};
}

// "*chain" on task 0: a record d hops d + 1 times around the ring of tasks, each step counting
// "depth-<d>" where it lands.
inline constexpr auto chain = sluice::depot<"*chain", std::uint32_t>([](std::uint32_t, std::uint32_t) { return 0u; });
inline constexpr auto depths = sluice::pstate<"$$depths", sluice_test::count_schema>;

sluice::dataflow::module_plan chain_plan() {
  using namespace sluice::dataflow;
  topology_plan topology{.name = "ring", .pstates = {{"$$depths"}}, .sources = {}, .hops = {}};
  topology.sources.push_back({"*chain", [](event_context& context, std::string_view record) {
    context.hops.send((context.task + 1) % context.task_count, 0, std::string(record));
  }});
  topology.hops.emplace_back([](event_context& context, std::string_view payload) {
    const auto depth = sluice::codec::decode_value<std::uint32_t>(payload);
    sluice_test::count(context, 0, "depth-" + std::to_string(depth));
    if (depth > 0) context.hops.send((context.task + 1) % context.task_count, 0, sluice::codec::encode_value(depth - 1));
  });
  return module_plan{.name = "ring", .depots = {{"*chain"}}, .ticks = {}, .topologies = {std::move(topology)}};
}

}  // namespace

TEST_CASE("word count: each word is counted on the task that owns it", "[runtime][hops]") {
  sluice_test::temp_dir dir;
  sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
  cluster.launch(sluice_test::word_count_plan(), four_tasks);
  const auto sentences = cluster.depot(sluice_test::sentences);
  const auto words = cluster.pstate(sluice_test::word_counts);

  const std::vector<std::string> texts{"the quick brown fox", "jumps over the lazy dog", "the dog sleeps",
                                       "a fox and a dog", "quick quick quick"};
  std::map<std::string, std::int64_t> expected;
  std::uint64_t events = 0;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    sentences.append({"user-" + std::to_string(i), texts[i]});
    ++events;
    for (const auto& word : sluice_test::split_words(texts[i])) {
      ++expected[word];
      ++events;
    }
    for (const auto& [word, n] : expected) {  // right after each acked append, everything so far
      CHECK(words.select_one(path::key(word)) == n);
      CHECK(words.select((words.task_of(word) + 1) % 4, path::key(word)).empty());
    }
  }

  const auto metrics = cluster.metrics();
  REQUIRE(metrics.tasks.size() == 4);
  CHECK(sum(metrics, &sluice::task_metrics::events_processed) == events);
  CHECK(sum(metrics, &sluice::task_metrics::failed_events) == 0);
  CHECK(sum(metrics, &sluice::task_metrics::commits) >= 1);
  for (const auto& task : metrics.tasks) {
    CHECK(task.module == "words");
    if (task.events_processed > 0) CHECK(task.mean_batch_size >= 1.0);
    CHECK(task.latency_p50 <= task.latency_max);
  }
}

TEST_CASE("send_to_all reaches every task", "[runtime][hops]") {
  sluice_test::temp_dir dir;
  sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
  cluster.launch(sluice_test::word_count_plan(), four_tasks);
  const auto announcements = cluster.depot(sluice_test::announcements);
  const auto inbox = cluster.pstate(sluice_test::inbox);

  announcements.append("hello");
  announcements.append("again");
  for (std::uint32_t t = 0; t < 4; ++t)
    CHECK(inbox.select(t, path::key(sluice_test::task_key(t)).all()) == std::vector<std::string>{"hello", "again"});
}

TEST_CASE("an ack waits for a chain of hops across tasks", "[runtime][hops][ack]") {
  sluice_test::temp_dir dir;
  sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
  cluster.launch(chain_plan(), four_tasks);
  const auto ring = cluster.depot(chain);
  const auto counts = cluster.pstate(depths);

  ring.append(6);  // lands on tasks 1, 2, 3, 0, 1, 2, 3 with depths 6 down to 0
  for (std::uint32_t depth = 0; depth <= 6; ++depth)
    CHECK(counts.select_one((1 + 6 - depth) % 4, path::key("depth-" + std::to_string(depth))) == 1);

  std::vector<std::future<void>> acks;
  for (int i = 0; i < 20; ++i) acks.push_back(ring.append_async(9));
  for (auto& ack : acks) ack.get();
  for (std::uint32_t depth = 0; depth <= 9; ++depth)  // not where the first chain's steps landed: 9 - 6 is not 0 mod 4
    CHECK(counts.select_one((1 + 9 - depth) % 4, path::key("depth-" + std::to_string(depth))) == 20);
}

TEST_CASE("a handler that throws fails only its own append, the rest of its batch commits", "[runtime][hops][batch]") {
  sluice_test::temp_dir dir;
  sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
  std::promise<void> open_gate;
  cluster.launch(gated_plan(open_gate.get_future().share()), {.tasks = 1, .threads = 1});
  const auto depot = cluster.depot(items);

  auto gate = depot.append_async("gate");  // holds the worker until all the rest is queued
  std::vector<std::future<void>> acks;
  for (int i = 0; i < 50; ++i) acks.push_back(depot.append_async(i == 17 ? "boom-17" : "item-" + std::to_string(i)));
  open_gate.set_value();
  gate.get();
  for (int i = 0; i < 50; ++i) {
    if (i == 17)
      CHECK_THROWS_WITH(acks[i].get(), "boom-17");
    else
      CHECK_NOTHROW(acks[i].get());
  }

  const auto counted = cluster.pstate(item_counts);
  const auto hopped = cluster.pstate(hopped_counts);
  CHECK(counted.select(0, path::map_keys()).size() == 50);  // 49 items and the gate
  CHECK(hopped.select(0, path::map_keys()).size() == 50);
  CHECK(counted.select(0, path::key("boom-17")).empty());
  CHECK(hopped.select(0, path::key("boom-17")).empty());

  const auto metrics = cluster.metrics();
  REQUIRE(metrics.tasks.size() == 1);
  CHECK(metrics.tasks[0].failed_events == 1);
  CHECK(metrics.tasks[0].max_batch_size >= 25);  // the 50 shared at most two batches
  CHECK(metrics.tasks[0].events_processed == 51 + 50);  // appends and their hops
}

TEST_CASE("a hop handler that throws rolls back alone, fails the ack and is not retried", "[runtime][hops]") {
  sluice_test::temp_dir dir;
  const auto failed_events = [](const sluice::cluster& cluster) {
    return sum(cluster.metrics(), &sluice::task_metrics::failed_events);
  };
  {
    sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
    cluster.launch(sluice_test::word_count_plan(), four_tasks);
    CHECK_THROWS_WITH(cluster.depot(sluice_test::sentences).append({"a", "left crash right"}), "crash while counting");
    const auto words = cluster.pstate(sluice_test::word_counts);
    CHECK(words.select_one(path::key("left")) == 1);
    CHECK(words.select_one(path::key("right")) == 1);
    CHECK(words.select(path::key("crash")).empty());
    CHECK(failed_events(cluster) == 1);
  }
  sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
  cluster.launch(sluice_test::word_count_plan(), four_tasks);
  cluster.depot(sluice_test::announcements).append("flush");  // behind anything re-sent, on every task
  CHECK(failed_events(cluster) == 0);
  CHECK(cluster.pstate(sluice_test::word_counts).select_one(path::key("left")) == 1);
}

TEST_CASE("metrics render as Prometheus text with a task label", "[runtime][metrics]") {
  sluice_test::temp_dir dir;
  sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
  cluster.launch(sluice_test::word_count_plan(), {.tasks = 2, .threads = 1});
  cluster.depot(sluice_test::sentences).append({"a", "x y"});
  const std::string text = cluster.prometheus_metrics();
  CHECK_THAT(text, Catch::Contains("sluice_events_processed_total{module=\"words\",task=\"0\"}"));
  CHECK_THAT(text, Catch::Contains("sluice_events_processed_total{module=\"words\",task=\"1\"}"));
  CHECK_THAT(text, Catch::Contains("# TYPE sluice_event_latency_seconds summary"));
  CHECK_THAT(text, Catch::Contains("sluice_outbox_size{module=\"words\",task=\"1\"}"));
}
