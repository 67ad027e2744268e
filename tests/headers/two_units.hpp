#pragma once
// What the two translation units of headers.two_units share: a module written against the public
// headers, and the report each unit makes of sluice's inline functions and variables.

#include <sluice/helpers/topology_scheduler.hpp>
#include <sluice/sluice.hpp>

#include <boost/hana/define_struct.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace two_units {

struct Reminder {
  BOOST_HANA_DEFINE_STRUCT(Reminder, (std::string, user), (std::string, text), (std::int64_t, due_millis));
};

struct RemindersModule {
  static constexpr std::string_view name = "reminders";
  static constexpr auto reminders = sluice::depot<"*reminders", Reminder>(sluice::hash_by<&Reminder::user>);
  static constexpr auto tick = sluice::tick_depot<"*tick">(std::chrono::milliseconds{1000});
  static constexpr auto inbox = sluice::pstate<"$$inbox",
      sluice::map_schema<std::string, sluice::list_schema<std::string, sluice::subindexed>>>;

  void define(sluice::setup& setup, sluice::topologies& topologies) const {
    using namespace sluice::literals;
    using sluice::path;
    setup.declare(reminders, tick);
    auto& core = topologies.stream("core");
    core.declare(inbox);
    sluice::topology_scheduler<Reminder> scheduler{"$$due"};
    scheduler.declare_pstates(core);
    core.add(sluice::source(reminders).out("*reminder"_v)
        .each(sluice::get<"due_millis">, "*reminder"_v).out("*due"_v)
        .macro(scheduler.schedule_item("*due"_v, "*reminder"_v)));
    core.add(sluice::source(tick)
        .macro(scheduler.handle_expirations("*reminder"_v, "*now"_v,
            sluice::block()
                .each(sluice::get<"user">, "*reminder"_v).out("*user"_v)
                .each(sluice::get<"text">, "*reminder"_v).out("*text"_v)
                .local_transform(inbox, path::key("*user"_v).after_elem().term_val("*text"_v)))));
  }
};

struct report {
  std::string encoded_value;      // a Reminder, value-encoded
  std::string decoded_text;       // and decoded again
  std::string encoded_key;        // a (user, due) key
  std::uint64_t key_hash = 0;
  std::string_view type_name;     // an inline variable: one object for the whole program
  std::string path_type;          // a path's readable type
  std::string plan;               // the module plan, summarized
  std::string prometheus;         // an inline function of the runtime, on empty metrics

  bool operator==(const report&) const = default;
};

/// Each unit instantiates this with its own tag, so each computes its report with its own code
/// while sharing sluice's inline functions and variables with the other.
template <class Unit>
report make_report() {
  const Reminder reminder{"ann", "water the plants", 1'700'000'000'000};
  report r;
  r.encoded_value = sluice::codec::encode_value(reminder);
  r.decoded_text = sluice::codec::decode_value<Reminder>(r.encoded_value).text;
  const std::tuple<std::string, std::int64_t> key{reminder.user, reminder.due_millis};
  r.encoded_key = sluice::codec::encode_key(key);
  r.key_hash = sluice::codec::key_hash(key);
  r.type_name = sluice::codec::type_name_v<std::vector<std::string>>;
  const auto path = sluice::path::key(std::string{"ann"}).after_elem().term_val(std::string{"x"});
  r.path_type = std::string(sluice::codec::type_name_v<decltype(path)>);
  const auto plan = sluice::dataflow::make_module_plan<RemindersModule>();
  r.plan = plan.name;
  for (const auto& depot : plan.depots) r.plan += " depot:" + depot.name;
  for (const auto& tick : plan.ticks) r.plan += " tick:" + tick.name;
  for (const auto& topology : plan.topologies) {
    r.plan += " topology:" + topology.name;
    for (const auto& pstate : topology.pstates) r.plan += " pstate:" + pstate.name;
  }
  r.prometheus = sluice::to_prometheus(sluice::cluster_metrics{});
  return r;
}

report report_of_unit_a();

}  // namespace two_units
