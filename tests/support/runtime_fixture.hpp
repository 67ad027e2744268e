#pragma once
// What the runtime tests share: cluster options sized for many environments at once, and
// hand-built module plans whose handlers are small lambdas over PState partitions.

#include "runtime_tsan.hpp"
#include "temp_dir.hpp"

#include <sluice/client.hpp>
#include <sluice/codec.hpp>
#include <sluice/dataflow/declarations.hpp>
#include <sluice/dataflow/plan.hpp>
#include <sluice/pstate.hpp>
#include <sluice/runtime.hpp>
#include <sluice/runtime/layout.hpp>
#include <sluice/storage.hpp>

#include <boost/hana/define_struct.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice_test {

// Small maps (ThreadSanitizer cannot shadow the default terabyte, and tests open many
// environments) and no fsync where durability is not what a test is about.
inline sluice::cluster_options runtime_options() {
  sluice::cluster_options options;
  options.storage.map_size = std::size_t{64} << 20;
  options.storage.durable = false;
  options.simulated_clock = true;
  options.simulated_start_millis = 1'000'000;
  return options;
}

using count_schema = sluice::map_schema<std::string, std::int64_t>;
using log_schema = sluice::map_schema<std::string, sluice::list_schema<std::string, sluice::subindexed>>;

// PState partition `index` of the event's topology.
template <class Schema>
sluice::pstate_partition<Schema> pstate_of(const sluice::dataflow::event_context& context, std::size_t index) {
  return sluice::pstate_partition<Schema>{context.pstates[index]};
}

// Adds one to the count at `key`.
inline void count(const sluice::dataflow::event_context& context, std::size_t pstate, const std::string& key) {
  pstate_of<count_schema>(context, pstate)
      .transform(context.txn, sluice::path::key(key).null_to_val(std::int64_t{0}).term([](std::int64_t n) { return n + 1; }));
}

inline std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::istringstream in{std::string(text)};
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

// ---- the word-count module ----------------------------------------------------------------------
//
// "*sentences" (hash_by id): the source counts sentences per id on its own task ("$$sentences"),
// then hops each word to the task owning it, which counts it ("$$words"). A sentence containing
// the word "boom" makes the source throw; the word "crash" makes the word's hop handler throw.
// "*announcements" (random): the source fans out to every task, each appends it to "$$inbox"
// under its own task number.

struct sentence {
  BOOST_HANA_DEFINE_STRUCT(sentence,
    (std::string, id),
    (std::string, text));
};

inline constexpr auto sentences = sluice::depot<"*sentences", sentence>(sluice::hash_by<&sentence::id>);
inline constexpr auto announcements = sluice::depot<"*announcements", std::string>(sluice::random_partition);
inline constexpr auto sentence_counts = sluice::pstate<"$$sentences", count_schema>;
inline constexpr auto word_counts = sluice::pstate<"$$words", count_schema>;
inline constexpr auto inbox = sluice::pstate<"$$inbox", log_schema>;

inline constexpr std::uint32_t count_word_hop = 0;
inline constexpr std::uint32_t deliver_announcement_hop = 1;

inline std::string task_key(std::uint32_t task) { return "task-" + std::to_string(task); }

inline sluice::dataflow::module_plan word_count_plan(std::string name = "words") {
  using namespace sluice::dataflow;
  topology_plan topology{.name = "core", .pstates = {{"$$sentences"}, {"$$words"}, {"$$inbox"}}, .sources = {}, .hops = {}};
  topology.sources.push_back({"*sentences", [](event_context& context, std::string_view record) {
    const auto s = sluice::codec::decode_value<sentence>(record);
    count(context, 0, s.id);
    for (const std::string& word : split_words(s.text)) {
      if (word == "boom") throw std::runtime_error("boom in " + s.id);
      const auto target = static_cast<std::uint32_t>(sluice::codec::key_hash(word) % context.task_count);
      context.hops.send(target, count_word_hop, sluice::codec::encode_value(word));
    }
  }});
  topology.sources.push_back({"*announcements", [](event_context& context, std::string_view record) {
    context.hops.send_to_all(deliver_announcement_hop, std::string(record));
  }});
  topology.hops.emplace_back([](event_context& context, std::string_view payload) {  // count_word_hop
    const auto word = sluice::codec::decode_value<std::string>(payload);
    if (word == "crash") throw std::runtime_error("crash while counting");
    count(context, 1, word);
  });
  topology.hops.emplace_back([](event_context& context, std::string_view payload) {  // deliver_announcement_hop
    const auto text = sluice::codec::decode_value<std::string>(payload);
    pstate_of<log_schema>(context, 2).transform(context.txn, sluice::path::key(task_key(context.task)).after_elem().term_val(text));
  });
  return module_plan{.name = std::move(name), .depots = {{"*sentences"}, {"*announcements"}}, .ticks = {}, .topologies = {std::move(topology)}};
}

// ---- reading a task's environment straight from disk, with no cluster running -------------------

class stored_task {
 public:
  stored_task(const std::filesystem::path& cluster_dir, std::string_view module, std::uint32_t task)
      : env_(sluice::storage::open_environment(
            sluice::runtime::detail::task_directory(sluice::runtime::detail::module_directory(cluster_dir, module), task),
            {.map_size = std::size_t{64} << 20, .read_only = true})) {}

  // The offsets stored in the depot partition, in order.
  std::vector<std::uint64_t> depot_offsets(std::string_view depot) const {
    std::vector<std::uint64_t> offsets;
    const auto db = env_->find_database(sluice::runtime::detail::depot_database(depot));
    if (!db) return offsets;
    auto txn = env_->begin_read();
    auto cursor = txn.open_cursor(*db);
    for (auto entry = cursor.first(); entry; entry = cursor.next())
      offsets.push_back(sluice::codec::decode_key<std::uint64_t>(entry->key));
    return offsets;
  }

  std::optional<std::uint64_t> source_offset(std::string_view topology, std::string_view depot) const {
    using namespace sluice::runtime::detail;
    const auto db = env_->find_database(source_offsets_database);  // before the transaction, as LMDB requires
    auto txn = env_->begin_read();
    return read_value<std::uint64_t>(txn, *db, source_offset_key(topology, depot));
  }

  // A string stored in the task's meta under `key`; nullopt if absent.
  std::optional<std::string> meta_value(std::string_view key) const {
    using namespace sluice::runtime::detail;
    const auto db = env_->find_database(meta_database);
    auto txn = env_->begin_read();
    return read_value<std::string>(txn, *db, key);
  }

  std::size_t outbox_entries() const {
    const auto db = env_->find_database(sluice::runtime::detail::outbox_database);
    auto txn = env_->begin_read();
    return txn.entries(*db);
  }

 private:
  std::shared_ptr<sluice::storage::environment> env_;
};

}  // namespace sluice_test
