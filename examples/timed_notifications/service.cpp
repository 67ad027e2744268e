#include "service.hpp"

#include "timed_notifications_module.hpp"

namespace timed_notifications {

using sluice::path;

namespace {

/// A cluster with the module launched: a base of service::running, so that the module is launched
/// before the clients (members) are made from it.
struct launched_module {
  launched_module(const std::filesystem::path& dir, std::uint32_t tasks, std::uint32_t threads) : cluster{dir} {
    cluster.launch<TimedNotificationsModule>({.tasks = tasks, .threads = threads});
  }
  sluice::cluster cluster;
};

}  // namespace

struct service::running : launched_module {
  using launched_module::launched_module;

  sluice::depot_client<ScheduledPost, sluice::hash_by_t<&ScheduledPost::id>> posts =
      cluster.depot(TimedNotificationsModule::scheduled_post_depot);
  sluice::pstate_client<decltype(TimedNotificationsModule::feeds)::schema_type> feeds =
      cluster.pstate(TimedNotificationsModule::feeds);
  sluice::topology_scheduler<ScheduledPost> scheduler = TimedNotificationsModule::scheduler();
  sluice::pstate_client<decltype(scheduler)::items_schema> items = cluster.pstate(scheduler.items());
};

service::service(const std::filesystem::path& dir, std::uint32_t tasks, std::uint32_t threads)
    : running_(std::make_unique<running>(dir, tasks, threads)) {}

service::~service() = default;

std::int64_t service::now() const { return running_->cluster.now_millis(); }

void service::schedule(const std::string& user, std::int64_t due, const std::string& text) {
  running_->posts.append({user, text, due});
}

std::vector<std::string> service::feed(const std::string& user) const {
  return running_->feeds.select(path::key(user).all());
}

service_stats service::stats() const {
  service_stats stats;
  const auto& feeds = running_->feeds;
  for (std::uint32_t task = 0; task < feeds.task_count(); ++task) {
    stats.pending += running_->items.select_one(task, path::view(sluice::size));
    for (std::size_t n : feeds.select(task, path::map_vals().view(sluice::size))) stats.delivered += n;
  }
  for (const auto& task : running_->cluster.metrics().tasks) stats.queue_depths.push_back(task.queue_depth);
  return stats;
}

void service::backup(const std::filesystem::path& target) const { running_->cluster.backup(target); }

}  // namespace timed_notifications
