// Tick depots: on the simulated clock, advance_time emits every tick due on the interval grid,
// each with its own time, then one at the time it stops at, and returns once their processing
// (hops included) has committed; on the system clock, a timer thread emits them.

#include "runtime_fixture.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using sluice::path;
using std::chrono::milliseconds;

namespace {

using time_log_schema = sluice::map_schema<std::string, sluice::list_schema<std::int64_t, sluice::subindexed>>;
inline constexpr auto tick_times = sluice::pstate<"$$tick-times", time_log_schema>;
inline constexpr auto tick_hops = sluice::pstate<"$$tick-hops", sluice_test::count_schema>;

// Logs each tick's time under the tick depot's name, after checking it runs on task 0 with
// now_millis equal to its time, then fans out to count the tick on every task. A tick at
// `poison_time` throws.
sluice::dataflow::module_plan tick_plan(milliseconds fast, milliseconds slow, std::optional<std::int64_t> poison_time = {}) {
  using namespace sluice::dataflow;
  topology_plan topology{.name = "clock", .pstates = {{"$$tick-times"}, {"$$tick-hops"}}, .sources = {}, .hops = {}};
  for (std::string name : {"*fast", "*slow"}) {
    topology.sources.push_back({name, [=](event_context& context, std::string_view record) {
      const auto time = sluice::codec::decode_value<std::int64_t>(record);
      if (context.task != 0) throw std::logic_error("a tick ran on task " + std::to_string(context.task));
      if (context.now_millis != time) throw std::logic_error("now_millis is not the tick's time");
      if (time == poison_time) throw std::runtime_error("poisoned tick");
      sluice_test::pstate_of<time_log_schema>(context, 0).transform(context.txn, path::key(name).after_elem().term_val(time));
      if (name == "*fast") context.hops.send_to_all(0, std::string(record));
    }});
  }
  topology.hops.emplace_back([](event_context& context, std::string_view) {
    sluice_test::count(context, 1, sluice_test::task_key(context.task));
  });
  return module_plan{.name = "clock", .depots = {}, .ticks = {{"*fast", fast}, {"*slow", slow}},
                     .topologies = {std::move(topology)}};
}

std::vector<std::int64_t> times_of(const sluice::cluster& cluster, const std::string& tick) {
  return cluster.pstate(tick_times).select(0, path::key(tick).all());
}

constexpr std::int64_t start = 1'000'000;  // sluice_test::runtime_options' simulated start

}  // namespace

TEST_CASE("advance_time emits every tick due, each with its own time, then one where it stops", "[runtime][ticks]") {
  using times = std::vector<std::int64_t>;
  sluice_test::temp_dir dir;
  sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
  cluster.launch(tick_plan(milliseconds{1000}, milliseconds{2500}), {.tasks = 3, .threads = 2});
  CHECK(cluster.now_millis() == start);

  cluster.advance_time(milliseconds{999});  // no grid tick yet: one where time stops
  CHECK(times_of(cluster, "*fast") == times{start + 999});
  cluster.advance_time(milliseconds{1});  // the grid tick at 1000 is where time stops: no extra
  CHECK(times_of(cluster, "*fast") == times{start + 999, start + 1000});

  cluster.advance_time(milliseconds{3500});
  CHECK(cluster.now_millis() == start + 4500);
  CHECK(times_of(cluster, "*fast") ==
        times{start + 999, start + 1000, start + 2000, start + 3000, start + 4000, start + 4500});
  CHECK(times_of(cluster, "*slow") == times{start + 999, start + 1000, start + 2500, start + 4500});
  const auto hops = cluster.pstate(tick_hops);  // the fan-out committed before advance_time returned
  for (std::uint32_t t = 0; t < 3; ++t) CHECK(hops.select_one(t, path::key(sluice_test::task_key(t))) == 6);

  cluster.advance_time(milliseconds{0});  // time did not move: nothing to observe
  CHECK(times_of(cluster, "*fast").size() == 6);
}

TEST_CASE("ticks count from the module's launch", "[runtime][ticks]") {
  sluice_test::temp_dir dir;
  sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
  cluster.advance_time(milliseconds{700});  // nothing launched: nothing to emit
  cluster.launch(tick_plan(milliseconds{1000}, milliseconds{5000}), {});
  cluster.advance_time(milliseconds{1500});
  CHECK(times_of(cluster, "*fast") == std::vector<std::int64_t>{start + 1700, start + 2200});
}

TEST_CASE("advance_time rethrows what a tick threw, and the other ticks still run", "[runtime][ticks]") {
  sluice_test::temp_dir dir;
  sluice::cluster cluster{dir.path(), sluice_test::runtime_options()};
  cluster.launch(tick_plan(milliseconds{1000}, milliseconds{5000}, start + 2000), {.tasks = 2, .threads = 1});
  CHECK_THROWS_WITH(cluster.advance_time(milliseconds{3000}), "poisoned tick");
  CHECK(times_of(cluster, "*fast") == std::vector<std::int64_t>{start + 1000, start + 3000});
  CHECK(cluster.metrics().tasks[0].failed_events == 1);
}

TEST_CASE("advance_time needs the simulated clock", "[runtime][ticks]") {
  sluice_test::temp_dir dir;
  auto options = sluice_test::runtime_options();
  options.simulated_clock = false;
  sluice::cluster cluster{dir.path(), options};
  CHECK_THROWS_AS(cluster.advance_time(milliseconds{1}), std::logic_error);
  const auto system_now = std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch());
  CHECK(cluster.now_millis() >= system_now.count() - 1000);
}

TEST_CASE("on the system clock a timer thread emits the ticks", "[runtime][ticks]") {
  sluice_test::temp_dir dir;
  auto options = sluice_test::runtime_options();
  options.simulated_clock = false;
  sluice::cluster cluster{dir.path(), options};

  // The handlers report the times they see; the third one lets the test go on.
  struct progress {
    std::mutex mutex;
    std::vector<std::int64_t> times;
    std::promise<void> three;
  };
  const auto seen = std::make_shared<progress>();
  const auto launched = cluster.now_millis();
  auto plan = tick_plan(milliseconds{5}, milliseconds{100'000});
  auto& fast = plan.topologies[0].sources[0];
  fast.handler = [seen, log = std::move(fast.handler)](sluice::dataflow::event_context& context, std::string_view record) {
    log(context, record);
    std::lock_guard lock{seen->mutex};
    seen->times.push_back(context.now_millis);
    if (seen->times.size() == 3) seen->three.set_value();
  };
  cluster.launch(std::move(plan), {.tasks = 2, .threads = 2});
  REQUIRE(seen->three.get_future().wait_for(std::chrono::seconds{60}) == std::future_status::ready);

  std::lock_guard lock{seen->mutex};
  const std::vector<std::int64_t> times{seen->times.begin(), seen->times.begin() + 3};
  for (std::size_t i = 0; i < times.size(); ++i) {
    CHECK(times[i] > launched);
    if (i > 0) CHECK(times[i] > times[i - 1]);
    CHECK((times[i] - times[0]) % 5 == 0);  // on the launch + k * interval grid
  }
}
