#pragma once
// sluice: the article's module, launched as examples/timed_notifications launches it.

#include "measures.hpp"
#include "run.hpp"
#include "workload.hpp"

#include "../../examples/timed_notifications/timed_notifications_module.hpp"

#include <sluice/sluice.hpp>

#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace timed_notifications_bench {

/// TimedNotificationsModule with one more step at the end of its handler block: recording the
/// delivery's lateness. Everything else, declarations included, is the example's.
struct MeasuredTimedNotificationsModule {
  static constexpr std::string_view name = "timed-notifications";

  void define(sluice::setup& setup, sluice::topologies& topologies) const {
    using namespace sluice::literals;
    using sluice::path;
    using M = TimedNotificationsModule;
    setup.declare(M::scheduled_post_depot, M::tick);
    auto& core = topologies.stream("core");
    core.declare(M::feeds);
    auto scheduler = M::scheduler();
    scheduler.declare_pstates(core);

    core.add(sluice::source(M::scheduled_post_depot).out("*scheduled-post"_v)
        .each(sluice::get<"time_millis">, "*scheduled-post"_v).out("*time-millis"_v)
        .macro(scheduler.schedule_item("*time-millis"_v, "*scheduled-post"_v)));

    core.add(sluice::source(M::tick)
        .macro(scheduler.handle_expirations("*scheduled-post"_v, "*current-time-millis"_v,
            sluice::block()
                .each(sluice::get<"id">, "*scheduled-post"_v).out("*id"_v)
                .each(sluice::get<"post">, "*scheduled-post"_v).out("*post"_v)
                .local_transform(M::feeds, path::key("*id"_v).after_elem().term_val("*post"_v))
                .each(&record_delivery, "*scheduled-post"_v))));
  }

  static void record_delivery(const ScheduledPost& post) { recorded_deliveries().record(post.time_millis); }
};

class sluice_peer {
  using M = TimedNotificationsModule;
  using posts_client = decltype(std::declval<const sluice::cluster&>().depot(M::scheduled_post_depot));

 public:
  sluice_peer(std::filesystem::path dir, const settings& s) : dir_(std::move(dir)), settings_(s) {}

  void start() { running_.emplace(dir_, settings_); }
  void stop() { running_.reset(); }

  // The first scheduled item of a task, if any: an emptiness check that reads one entry.
  static constexpr auto first_item = sluice::path::sorted_map_range_from(
      sluice::schedule_id{std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::min()}, 1)
      .map_keys();

  [[nodiscard]] bool nothing_pending() const {
    for (std::uint32_t task = 0; task < settings_.tasks; ++task)
      if (!running_->items.select(task, first_item).empty()) return false;
    return true;
  }

  void count_feeds(feed_tally& tally) const {
    for (std::size_t user = 0; user < settings_.users; ++user)
      for (const std::string& text : running_->feeds.select(sluice::path::key(user_name(user)).all()))
        tally.count(user, text);
  }

  [[nodiscard]] static double peak_rss_kib() { return own_peak_rss_kib(); }

  /// A client with up to `window` appends in flight, each acked once durable and scheduled.
  class scheduler {
   public:
    scheduler(posts_client posts, std::size_t window) : posts_(std::move(posts)), window_(window) {}
    void submit(const ScheduledPost& post) { window_.add(posts_.append_async(post)); }
    void finish() { window_.finish(); }

   private:
    posts_client posts_;
    future_window window_;
  };

  [[nodiscard]] scheduler make_scheduler() const { return {running_->posts, settings_.window}; }

 private:
  /// A cluster with the module launched: the first member of `running`, so that the clients
  /// after it are made from a launched module.
  struct launched_cluster {
    launched_cluster(const std::filesystem::path& dir, const settings& s) : cluster{dir} {
      cluster.launch<MeasuredTimedNotificationsModule>({.tasks = s.tasks, .threads = s.threads});
    }
    sluice::cluster cluster;
  };

  /// The cluster and its clients: all go together at a stop.
  struct running {
    running(const std::filesystem::path& dir, const settings& s) : launched{dir, s} {}
    launched_cluster launched;
    posts_client posts = launched.cluster.depot(M::scheduled_post_depot);
    decltype(launched.cluster.pstate(M::feeds)) feeds = launched.cluster.pstate(M::feeds);
    decltype(launched.cluster.pstate(M::scheduler().items())) items = launched.cluster.pstate(M::scheduler().items());
  };

  std::filesystem::path dir_;
  settings settings_;
  std::optional<running> running_;
};

}  // namespace timed_notifications_bench
