// The runtime's building blocks on their own: the latency histogram, the Prometheus rendering,
// tick schedules, acks' work counting, the event queue, the clock and the directory lock.

#include "eventually.hpp"
#include "temp_dir.hpp"

#include <sluice/runtime/ack.hpp>
#include <sluice/runtime/clock.hpp>
#include <sluice/runtime/cluster_error.hpp>
#include <sluice/runtime/directory_lock.hpp>
#include <sluice/runtime/event_queue.hpp>
#include <sluice/runtime/metrics.hpp>
#include <sluice/runtime/tick_schedule.hpp>

#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <future>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace detail = sluice::runtime::detail;
using std::chrono::microseconds;
using std::chrono::milliseconds;

namespace {

detail::event append_event(std::uint32_t task, std::string record) {
  return detail::event{.task = task, .body = detail::depot_append{0, std::move(record)}, .ack = nullptr};
}

std::string record_of(const detail::event& e) { return std::get<detail::depot_append>(e.body).record; }

}  // namespace

TEST_CASE("latency histogram: quantiles within a quarter, the maximum exact", "[runtime][metrics]") {
  detail::latency_histogram histogram;
  CHECK(histogram.quantile(0.5) == microseconds{0});
  for (int micros = 1; micros <= 1000; ++micros) histogram.record(microseconds{micros});
  const auto p50 = histogram.quantile(0.5).count();
  const auto p99 = histogram.quantile(0.99).count();
  CHECK(p50 >= 500);
  CHECK(p50 <= 625);
  CHECK(p99 >= 990);
  CHECK(p99 <= 1000);  // never above the maximum
  CHECK(histogram.max() == microseconds{1000});

  detail::latency_histogram one;
  one.record(microseconds{3});
  CHECK(one.quantile(0.5) == microseconds{3});
  CHECK(one.quantile(0.99) == microseconds{3});
}

TEST_CASE("Prometheus text: one family per metric, a sample per task, labels escaped", "[runtime][metrics]") {
  sluice::cluster_metrics metrics;
  metrics.tasks.push_back({.module = "m\"1", .task = 0, .queue_depth = 3, .events_processed = 10, .commits = 2,
                           .mean_batch_size = 2.5, .latency_p50 = microseconds{1500}, .latency_total = microseconds{2'000'000}});
  metrics.tasks.push_back({.module = "m\"1", .task = 1, .failed_events = 1, .outbox_size = 7});
  const std::string text = sluice::to_prometheus(metrics);
  CHECK(text.find("# TYPE sluice_queue_depth gauge\n") != std::string::npos);
  CHECK(text.find("sluice_queue_depth{module=\"m\\\"1\",task=\"0\"} 3\n") != std::string::npos);
  CHECK(text.find("sluice_events_processed_total{module=\"m\\\"1\",task=\"0\"} 10\n") != std::string::npos);
  CHECK(text.find("sluice_failed_events_total{module=\"m\\\"1\",task=\"1\"} 1\n") != std::string::npos);
  CHECK(text.find("sluice_batch_size_mean{module=\"m\\\"1\",task=\"0\"} 2.5\n") != std::string::npos);
  CHECK(text.find("sluice_outbox_size{module=\"m\\\"1\",task=\"1\"} 7\n") != std::string::npos);
  CHECK(text.find("sluice_event_latency_seconds{module=\"m\\\"1\",task=\"0\",quantile=\"0.5\"} 0.0015\n") !=
        std::string::npos);
  CHECK(text.find("sluice_event_latency_seconds_sum{module=\"m\\\"1\",task=\"0\"} 2\n") != std::string::npos);
  CHECK(text.find("sluice_event_latency_seconds_count{module=\"m\\\"1\",task=\"0\"} 10\n") != std::string::npos);
  // Each family is declared once.
  std::size_t types = 0;
  for (auto at = text.find("# TYPE sluice_event_latency_seconds "); at != std::string::npos;
       at = text.find("# TYPE sluice_event_latency_seconds ", at + 1))
    ++types;
  CHECK(types == 1);
}

TEST_CASE("tick schedule: launch + k * interval, k >= 1, and catching up yields the latest", "[runtime][ticks]") {
  detail::tick_schedule schedule{1000, milliseconds{250}};
  CHECK(schedule.next_due() == 1250);
  schedule.advance();
  CHECK(schedule.next_due() == 1500);
  CHECK(schedule.catch_up(2600) == 2500);  // 1500 .. 2500 due: one tick, the latest
  CHECK(schedule.next_due() == 2750);
  CHECK(schedule.catch_up(2750) == 2750);
  CHECK(schedule.next_due() == 3000);
}

TEST_CASE("acks: the future is ready once every piece of work finished", "[runtime][ack]") {
  SECTION("ack follows hops and reports the first failure") {
    auto [completion, future] = detail::start_ack(sluice::ack_level::ack);
    REQUIRE(completion->follows_hops());
    completion->add_work(2);  // the event sent two hop messages
    completion->finish_work();
    CHECK(future.wait_for(milliseconds{0}) == std::future_status::timeout);
    completion->finish_work(std::make_exception_ptr(std::runtime_error("first")));
    CHECK(future.wait_for(milliseconds{0}) == std::future_status::timeout);
    completion->finish_work(std::make_exception_ptr(std::runtime_error("second")));
    CHECK_THROWS_WITH(future.get(), "first");
  }
  SECTION("append_ack is done when the event is") {
    auto [completion, future] = detail::start_ack(sluice::ack_level::append_ack);
    CHECK_FALSE(completion->follows_hops());
    completion->finish_work();
    CHECK_NOTHROW(future.get());
  }
  SECTION("none needs no completion") {
    auto [completion, future] = detail::start_ack(sluice::ack_level::none);
    CHECK(completion == nullptr);
    CHECK(future.wait_for(milliseconds{0}) == std::future_status::ready);
  }
}

TEST_CASE("event queue: FIFO, batches bounded, depth per task, closing hands back the rest", "[runtime][queue]") {
  detail::event_queue queue{3, 100};
  std::vector<detail::event> events;
  for (int i = 0; i < 5; ++i) events.push_back(append_event(static_cast<std::uint32_t>(i % 2), std::to_string(i)));
  REQUIRE(queue.push(events));
  CHECK(queue.depth(0) == 3);
  CHECK(queue.depth(1) == 2);
  CHECK(queue.depth(2) == 0);

  std::vector<detail::event> batch;
  REQUIRE(queue.pop_batch(3, batch));
  REQUIRE(batch.size() == 3);
  CHECK(record_of(batch[0]) == "0");
  CHECK(record_of(batch[2]) == "2");
  CHECK(queue.depth(0) == 1);
  CHECK(queue.depth(1) == 1);

  std::vector<detail::event> left = queue.close();
  REQUIRE(left.size() == 2);
  CHECK(record_of(left[0]) == "3");
  CHECK(queue.depth(0) == 0);
  std::vector<detail::event> late{append_event(0, "late")};
  CHECK_FALSE(queue.push(late));
  CHECK(record_of(late[0]) == "late");  // refused events are left to their owner
  CHECK_FALSE(queue.pop_batch(3, batch));
}

TEST_CASE("event queue: appends wait for room in their task's queue, the runtime's own events never",
          "[runtime][queue]") {
  detail::event_queue queue{2, 2};
  for (const char* record : {"a0", "a1"}) {
    detail::event append = append_event(0, record);
    REQUIRE(queue.push_append(append));
  }
  std::vector<detail::event> hops;
  for (std::uint64_t seq = 1; seq <= 3; ++seq)
    hops.push_back(detail::event{.task = 0, .body = detail::hop_delivery{1, seq, 0, 0, "payload"}, .ack = nullptr});
  REQUIRE(queue.push(hops));  // beyond the limit, and not waiting
  detail::event other_task = append_event(1, "b0");
  REQUIRE(queue.push_append(other_task));  // the limit is per task
  CHECK(queue.depth(0) == 5);

  auto third = std::async(std::launch::async, [&] {
    detail::event append = append_event(0, "a2");
    return queue.push_append(append);
  });
  REQUIRE(sluice_test::eventually([&] { return queue.blocked_appends(0) == 1; }));
  CHECK(queue.depth(0) == 5);
  CHECK(queue.blocked_appends(1) == 0);

  std::vector<detail::event> batch;
  REQUIRE(queue.pop_batch(1, batch));  // takes a0: room for one
  CHECK(third.get());
  CHECK(queue.blocked_appends(0) == 0);
  CHECK(queue.depth(0) == 5);  // a1, three hops, a2

  SECTION("closing wakes appends waiting for room and refuses them") {
    auto waiting = std::async(std::launch::async, [&] {
      detail::event append = append_event(0, "a3");
      const bool queued = queue.push_append(append);
      return std::pair{queued, record_of(append)};
    });
    REQUIRE(sluice_test::eventually([&] { return queue.blocked_appends(0) == 1; }));
    queue.close();
    const auto [queued, record] = waiting.get();
    CHECK_FALSE(queued);
    CHECK(record == "a3");  // left to its owner, who fails its ack
  }
}

TEST_CASE("clock: simulated time moves only when told, the system clock refuses", "[runtime][clock]") {
  detail::cluster_clock simulated{std::int64_t{5000}};
  CHECK(simulated.is_simulated());
  CHECK(simulated.now_millis() == 5000);
  CHECK(simulated.advance(milliseconds{250}) == 5250);
  CHECK(simulated.now_millis() == 5250);
  CHECK_THROWS_AS(simulated.advance(milliseconds{-1}), std::invalid_argument);

  detail::cluster_clock system{std::nullopt};
  CHECK_FALSE(system.is_simulated());
  CHECK(system.now_millis() > 1'600'000'000'000);  // after 2020
  CHECK_THROWS_AS(system.advance(milliseconds{1}), std::logic_error);
}

TEST_CASE("directory lock: one holder at a time, named in the error", "[runtime][lock]") {
  sluice_test::temp_dir dir;
  {
    detail::directory_lock held{dir.path()};
    try {
      detail::directory_lock second{dir.path()};
      FAIL("a second lock of the same directory succeeded");
    } catch (const sluice::cluster_error& e) {
      const std::string what = e.what();
      CHECK_THAT(what, Catch::Contains(dir.path().string()));
      CHECK_THAT(what, Catch::Contains("pid " + std::to_string(::getpid())));
    }
  }
  CHECK_NOTHROW(detail::directory_lock{dir.path()});  // released with its holder
}
