#pragma once
// The article's module for the scheduler tests, with a configurable max_fetch and a depot of
// cancellations: what the unit tests run through plan_runner and the integration tests on a
// cluster.

#include <sluice/dataflow.hpp>
#include <sluice/helpers/topology_scheduler.hpp>

#include <boost/hana/define_struct.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace sluice_test {

struct ScheduledPost {
  BOOST_HANA_DEFINE_STRUCT(ScheduledPost, (std::string, id), (std::string, post), (std::int64_t, time_millis));
};
struct Cancel {
  BOOST_HANA_DEFINE_STRUCT(Cancel, (std::string, id), (std::int64_t, time_millis), (std::int64_t, seq));
};

struct scheduler_module {
  using feeds_schema = sluice::map_schema<std::string, sluice::list_schema<std::string, sluice::subindexed>>;
  static constexpr auto scheduled_posts =
      sluice::depot<"*scheduled-post-depot", ScheduledPost>(sluice::hash_by<&ScheduledPost::id>);
  static constexpr auto cancels = sluice::depot<"*cancels", Cancel>(sluice::hash_by<&Cancel::id>);
  static constexpr auto tick = sluice::tick_depot<"*tick">(std::chrono::milliseconds{1000});
  static constexpr auto feeds = sluice::pstate<"$$feeds", feeds_schema>;
  static auto scheduler() { return sluice::topology_scheduler<ScheduledPost>{"$$scheduled"}; }

  std::size_t max_fetch = 1000;

  void define(sluice::setup& setup, sluice::topologies& topologies) const {
    using namespace sluice::literals;
    using sluice::path;
    setup.declare(scheduled_posts, cancels, tick);
    auto& core = topologies.stream("core");
    core.declare(feeds);
    auto scheduler = scheduler_module::scheduler();
    scheduler.max_fetch(max_fetch);
    scheduler.declare_pstates(core);

    core.add(sluice::source(scheduled_posts).out("*scheduled-post"_v)
                 .each(sluice::get<"time_millis">, "*scheduled-post"_v).out("*time-millis"_v)
                 .macro(scheduler.schedule_item("*time-millis"_v, "*scheduled-post"_v)));
    core.add(sluice::source(cancels).out("*cancel"_v)
                 .each([](const Cancel& c) { return sluice::schedule_id{c.time_millis, c.seq}; }, "*cancel"_v).out("*id"_v)
                 .macro(scheduler.cancel_item("*id"_v)));
    core.add(sluice::source(tick)
                 .macro(scheduler.handle_expirations("*scheduled-post"_v, "*current-time-millis"_v,
                     sluice::block()
                         .each(sluice::get<"id">, "*scheduled-post"_v).out("*id"_v)
                         .each(sluice::get<"post">, "*scheduled-post"_v).out("*post"_v)
                         .local_transform(feeds, path::key("*id"_v).after_elem().term_val("*post"_v)))));
  }
};

}  // namespace sluice_test
