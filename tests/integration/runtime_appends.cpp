// Appending to depots and querying PStates through a cluster: partitioning, ack levels, lookups
// by name, and the errors for what a cluster does not have.

#include "eventually.hpp"
#include "runtime_fixture.hpp"

#include <sluice/sluice.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

using namespace sluice::literals;
using sluice::path;
using sluice_test::sentence;

namespace {

constexpr sluice::launch_options four_tasks{.tasks = 4, .threads = 2};

std::int64_t total_over_tasks(const sluice::pstate_client<sluice_test::count_schema>& counts) {
  std::int64_t total = 0;
  for (std::uint32_t t = 0; t < counts.task_count(); ++t)
    for (std::int64_t n : counts.select(t, path::map_vals())) total += n;
  return total;
}

// Holds the item "held" in its handler until opened, so that the appends after it pile up.
class gate {
 public:
  void pass(const std::string& item) {
    if (item != "held") return;
    entered_.set_value();
    opened_.wait();
  }
  void wait_until_held() const { held_.wait(); }
  void open() { opener_.set_value(); }

 private:
  std::promise<void> entered_;
  std::shared_future<void> held_ = entered_.get_future().share();
  std::promise<void> opener_;
  std::shared_future<void> opened_ = opener_.get_future().share();
};

struct gated_module {
  static constexpr std::string_view name = "gated";
  static constexpr auto items = sluice::depot<"*items", std::string>(sluice::random_partition);
  static constexpr auto seen = sluice::pstate<"$$seen", sluice::map_schema<std::string, std::int64_t>>;
  std::shared_ptr<gate> held = std::make_shared<gate>();

  void define(sluice::setup& setup, sluice::topologies& topologies) const {
    setup.declare(items);
    auto& core = topologies.stream("core");
    core.declare(seen);
    core.add(sluice::source(items).out("*item"_v)
        .each([g = held](const std::string& item) { g->pass(item); }, "*item"_v)
        .local_transform(seen, path::key("*item"_v).term_val(std::int64_t{1})));
  }
};

// A chain whose handler appends to the module's own depot through a client, as it must not.
struct self_appending_module {
  static constexpr std::string_view name = "self-appending";
  static constexpr auto items = sluice::depot<"*items", std::string>(sluice::random_partition);
  using client = sluice::depot_client<std::string, sluice::random_partition_t>;
  // Set once the module is launched. Not owned: a client owned by the module's own handler would
  // keep the module alive for ever.
  std::optional<client>* own_depot;

  void define(sluice::setup& setup, sluice::topologies& topologies) const {
    setup.declare(items);
    topologies.stream("core").add(sluice::source(items).out("*item"_v)
        .each([depot = own_depot](const std::string& item) { (*depot)->append(item + " again", sluice::ack_level::none); },
              "*item"_v));
  }
};

}  // namespace

TEST_CASE("hash_by sends a record to the task the PState client reads for its key", "[runtime][appends]") {
  sluice_test::temp_dir dir;
  sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
  cluster.launch(sluice_test::word_count_plan(), four_tasks);
  const auto sentences = cluster.depot(sluice_test::sentences);
  const auto counts = cluster.pstate(sluice_test::sentence_counts);

  std::set<std::uint32_t> tasks_used;
  for (int i = 0; i < 40; ++i) {
    const std::string id = "user-" + std::to_string(i);
    sentences.append({id, "hi"});
    const std::uint32_t task = sentences.task_of({id, ""});
    tasks_used.insert(task);
    CHECK(task == sluice::codec::key_hash(id) % 4);
    CHECK(counts.task_of(id) == task);
    CHECK(counts.select_one(path::key(id)) == 1);                 // routed by the client
    CHECK(counts.select_one(task, path::key(id)) == 1);           // on the task named
    CHECK(counts.select((task + 1) % 4, path::key(id)).empty());  // and nowhere else
  }
  CHECK(tasks_used.size() == 4);
  CHECK(total_over_tasks(counts) == 40);
}

TEST_CASE("random_partition and custom partitioners", "[runtime][appends]") {
  sluice_test::temp_dir dir;
  sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
  cluster.launch(sluice_test::word_count_plan(), four_tasks);

  const auto announcements = cluster.depot(sluice_test::announcements);
  std::set<std::uint32_t> random_tasks;
  for (int i = 0; i < 64; ++i) random_tasks.insert(announcements.task_of("x"));
  CHECK(random_tasks.size() == 4);

  static constexpr auto by_length = sluice::depot<"*sentences", sentence>(
      [](const sentence& s, std::uint32_t tasks) { return static_cast<std::uint32_t>(s.id.size() % tasks); });
  const auto custom = cluster.depot(by_length);
  CHECK(custom.task_of({"abc", ""}) == 3);
  custom.append({"abcde", "hello"});
  CHECK(cluster.pstate(sluice_test::sentence_counts).select_one(1, path::key("abcde")) == 1);

  static constexpr auto broken = sluice::depot<"*sentences", sentence>(
      [](const sentence&, std::uint32_t tasks) { return tasks; });
  CHECK_THROWS_AS(cluster.depot(broken).append({"a", "b"}), std::out_of_range);
}

TEST_CASE("ack levels: ack waits for hops, append_ack for the record, none for nothing", "[runtime][appends][ack]") {
  sluice_test::temp_dir dir;
  sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
  cluster.launch(sluice_test::word_count_plan(), four_tasks);
  const auto sentences = cluster.depot(sluice_test::sentences);
  const auto ids = cluster.pstate(sluice_test::sentence_counts);
  const auto words = cluster.pstate(sluice_test::word_counts);

  SECTION("ack: every hop has committed when it returns") {
    sentences.append({"a", "one two three two"}, sluice::ack_level::ack);
    CHECK(words.select_one(path::key("one")) == 1);
    CHECK(words.select_one(path::key("two")) == 2);
    CHECK(words.select_one(path::key("three")) == 1);
  }
  SECTION("append_ack: the record's own transaction has committed") {
    sentences.append({"a", "one"}, sluice::ack_level::append_ack);
    CHECK(ids.select_one(path::key("a")) == 1);
    sentences.append({"a", "crash"}, sluice::ack_level::append_ack);  // a hop fails later: not this ack's concern
    CHECK(ids.select_one(path::key("a")) == 2);
  }
  SECTION("none: the future is ready at once; the task's queue keeps the order") {
    auto queued = sentences.append_async({"a", "first"}, sluice::ack_level::none);
    CHECK(queued.wait_for(std::chrono::seconds{0}) == std::future_status::ready);
    sentences.append({"a", "second"});  // same id, same task, behind the first in its queue
    CHECK(ids.select_one(path::key("a")) == 2);
  }
  SECTION("a failure surfaces in the ack that waits for it") {
    CHECK_THROWS_WITH(sentences.append({"b", "boom"}), "boom in b");
    CHECK(ids.select(path::key("b")).empty());  // nothing of the failed append was stored
    CHECK_THROWS_WITH(sentences.append({"c", "fine crash fine"}), "crash while counting");
    CHECK(ids.select_one(path::key("c")) == 1);  // the record is durable, its processing failed in a hop
    CHECK(words.select_one(path::key("fine")) == 2);
    CHECK(words.select(path::key("crash")).empty());
  }
}

TEST_CASE("depots and PStates are looked up by name across modules", "[runtime][appends]") {
  sluice_test::temp_dir dir;
  sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};

  static constexpr auto missing = sluice::depot<"*missing", std::string>(sluice::random_partition);
  try {
    static_cast<void>(cluster.depot(missing));
    FAIL("a depot no module declares was found");
  } catch (const sluice::cluster_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("no launched module declares the depot '*missing'"));
  }

  cluster.launch(sluice_test::word_count_plan("first"), four_tasks);
  CHECK_NOTHROW(cluster.depot(sluice_test::sentences));
  CHECK_THROWS_AS(cluster.pstate(sluice::pstate<"$$missing", sluice_test::count_schema>), sluice::cluster_error);

  CHECK_THROWS_WITH(cluster.launch(sluice_test::word_count_plan("first"), four_tasks),
                    Catch::Contains("'first' is already launched"));

  cluster.launch(sluice_test::word_count_plan("second"), {.tasks = 2, .threads = 1});
  CHECK_THROWS_WITH(cluster.depot(sluice_test::sentences), Catch::Contains("declared by both 'first' and 'second'"));
  CHECK_THROWS_WITH(cluster.pstate(sluice_test::word_counts), Catch::Contains("ambiguous"));
}

TEST_CASE("queries name a task within range", "[runtime][appends]") {
  sluice_test::temp_dir dir;
  sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
  cluster.launch(sluice_test::word_count_plan(), four_tasks);
  const auto words = cluster.pstate(sluice_test::word_counts);
  CHECK(words.select(3, path::map_keys()).empty());
  CHECK_THROWS_AS(words.select(4, path::map_keys()), std::out_of_range);
}

TEST_CASE("malformed plans and launch options are refused", "[runtime][appends]") {
  sluice_test::temp_dir dir;
  sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};

  auto duplicate_depot = sluice_test::word_count_plan();
  duplicate_depot.depots.push_back({"*sentences"});
  CHECK_THROWS_WITH(cluster.launch(duplicate_depot, {}), Catch::Contains("'*sentences' is declared twice"));

  auto unknown_source = sluice_test::word_count_plan();
  unknown_source.topologies[0].sources[0].depot = "*nowhere";
  CHECK_THROWS_WITH(cluster.launch(unknown_source, {}), Catch::Contains("subscribes to '*nowhere'"));

  auto escaping = sluice_test::word_count_plan("../outside");
  CHECK_THROWS_AS(cluster.launch(escaping, {}), sluice::cluster_error);

  CHECK_THROWS_AS(cluster.launch(sluice_test::word_count_plan(), {.tasks = 0, .threads = 1}), std::invalid_argument);
  CHECK_THROWS_AS(cluster.launch(sluice_test::word_count_plan(), {.tasks = 1, .threads = 0}), std::invalid_argument);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "words"));  // nothing created for a refused launch
}

TEST_CASE("appends beyond max_queued_appends wait for room, whatever their ack level", "[runtime][appends][backpressure]") {
  sluice_test::temp_dir dir;
  auto options = sluice_test::runtime_options();
  options.max_queued_appends = 2;
  sluice::cluster cluster{dir.path(), options};
  const gated_module module;
  cluster.launch({.tasks = 1, .threads = 1}, module);
  const auto items = cluster.depot(gated_module::items);
  const auto task_0 = [&] { return cluster.metrics().tasks.at(0); };

  items.append("held", sluice::ack_level::none);
  module.held->wait_until_held();  // the worker holds "held"; the queue is empty
  items.append("a", sluice::ack_level::none);
  items.append("b", sluice::ack_level::none);
  CHECK(task_0().queue_depth == 2);

  auto third = std::async(std::launch::async, [&] { items.append("c", sluice::ack_level::none); });
  REQUIRE(sluice_test::eventually([&] { return task_0().blocked_appends == 1; }));
  CHECK(task_0().queue_depth == 2);
  CHECK_THAT(cluster.prometheus_metrics(), Catch::Contains("sluice_blocked_appends{module=\"gated\",task=\"0\"} 1"));

  module.held->open();
  third.get();
  items.append("last");  // acked: everything queued before it on the task has committed
  CHECK(task_0().blocked_appends == 0);
  const auto seen = cluster.pstate(gated_module::seen);
  for (const char* item : {"held", "a", "b", "c", "last"}) CHECK(seen.select_one(path::key(item)) == 1);

  options.max_queued_appends = 0;
  CHECK_THROWS_AS(sluice::cluster(dir.path() / "other", options), std::invalid_argument);
}

TEST_CASE("a handler appending to its own module through a client fails instead of waiting for itself",
          "[runtime][appends]") {
  sluice_test::temp_dir dir;
  std::optional<self_appending_module::client> own_depot;
  sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
  cluster.launch({.tasks = 2, .threads = 1}, self_appending_module{&own_depot});
  own_depot.emplace(cluster.depot(self_appending_module::items));
  CHECK_THROWS_WITH(own_depot->append("once"),
                    Catch::Contains("a handler of the module 'self-appending' appended to one of its depots through a "
                                    "client, and its worker would wait for itself"));
}
