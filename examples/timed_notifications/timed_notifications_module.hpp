#pragma once
// The article's TimedNotificationsModule: posts scheduled for a future time land in their user's
// feed within a tick of that time, exactly once, across crashes.

#include <sluice/helpers/topology_scheduler.hpp>
#include <sluice/sluice.hpp>

#include <boost/hana/define_struct.hpp>

#include <chrono>
#include <cstdint>
#include <string>

// snippet: module
struct ScheduledPost {
  BOOST_HANA_DEFINE_STRUCT(ScheduledPost,
    (std::string, id),            // user id, also the partitioning key
    (std::string, post),
    (std::int64_t, time_millis)); // when to deliver, epoch millis
};

struct TimedNotificationsModule {
  static constexpr auto scheduled_post_depot =
      sluice::depot<"*scheduled-post-depot", ScheduledPost>(sluice::hash_by<&ScheduledPost::id>);
  static constexpr auto tick = sluice::tick_depot<"*tick">(std::chrono::milliseconds{1000});
  static constexpr auto feeds = sluice::pstate<"$$feeds",
      sluice::map_schema<std::string, sluice::list_schema<std::string, sluice::subindexed>>>;
  static auto scheduler() { return sluice::topology_scheduler<ScheduledPost>{"$$scheduled"}; }

  void define(sluice::setup& setup, sluice::topologies& topologies) const {
    using namespace sluice::literals;
    using sluice::path;
    setup.declare(scheduled_post_depot, tick);
    auto& core = topologies.stream("core");
    core.declare(feeds);
    auto scheduler = TimedNotificationsModule::scheduler();
    scheduler.declare_pstates(core);

    core.add(sluice::source(scheduled_post_depot).out("*scheduled-post"_v)
        .each(sluice::get<"time_millis">, "*scheduled-post"_v).out("*time-millis"_v)
        .macro(scheduler.schedule_item("*time-millis"_v, "*scheduled-post"_v)));

    core.add(sluice::source(tick)
        .macro(scheduler.handle_expirations("*scheduled-post"_v, "*current-time-millis"_v,
            sluice::block()
                .each(sluice::get<"id">, "*scheduled-post"_v).out("*id"_v)
                .each(sluice::get<"post">, "*scheduled-post"_v).out("*post"_v)
                .local_transform(feeds, path::key("*id"_v).after_elem().term_val("*post"_v)))));
  }
};
// end snippet: module
