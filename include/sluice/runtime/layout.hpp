#pragma once
// The on-disk layout of a module, in one place. Changing anything here changes the format:
// raise format_version, which a module directory stores and every launch checks.
//
//   <cluster dir>/LOCK                   flock of the process that has the directory open
//   <cluster dir>/<module>/task-<t>/     one LMDB environment per task, with named databases:
//     depot:<name>           uint64 offset (key-encoded) -> record bytes as appended
//     pstate:<name>          the PState's partition (see pstate/layout.hpp)
//     sluice:meta            "format", "module", "tasks", "task", "outbox-next-seq", and
//                            "stored-type:<database>" for each depot and PState,
//                            "hop-type:<topology>:<hop>" for each hop
//     sluice:source-offsets  (topology, depot) -> the next depot offset the topology will process
//     sluice:outbox          (target task, seq) -> outbox_message: hop messages not yet pruned
//     sluice:applied         source task -> the highest outbox seq of it applied on this task
//
// Keys are key-encoded (order-preserving), values value-encoded. Outbox keys lead with the target
// so that pruning what one target has applied is a range erase.

#include <sluice/codec/key_codec.hpp>
#include <sluice/codec/value_codec.hpp>
#include <sluice/storage/database.hpp>
#include <sluice/storage/transaction.hpp>

#include <boost/hana/define_struct.hpp>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

namespace sluice::runtime::detail {

inline constexpr std::uint32_t format_version = 1;

inline constexpr std::string_view meta_database = "sluice:meta";
inline constexpr std::string_view source_offsets_database = "sluice:source-offsets";
inline constexpr std::string_view outbox_database = "sluice:outbox";
inline constexpr std::string_view applied_database = "sluice:applied";
inline constexpr unsigned bookkeeping_databases = 4;

namespace meta_key {
inline constexpr std::string_view format = "format";            // uint32 format_version
inline constexpr std::string_view module = "module";            // std::string module name
inline constexpr std::string_view tasks = "tasks";              // uint32 task count
inline constexpr std::string_view task = "task";                // uint32 this task's index
inline constexpr std::string_view outbox_next_seq = "outbox-next-seq";  // uint64, absent = 1
// std::string: how the database's data is encoded (dataflow::stored_declaration::stored_type),
// recorded by the first launch that declares it. Absent in directories made before it existed.
inline std::string stored_type(std::string_view database) { return "stored-type:" + std::string(database); }
// std::string: what hop `hop` of topology `topology` sends (dataflow::hop_plan::stored_type, with
// the topology's name), as of the last launch: the hops that messages in outboxes were stored for.
inline std::string hop_type(std::uint32_t topology, std::uint32_t hop) {
  return "hop-type:" + std::to_string(topology) + ":" + std::to_string(hop);
}
}  // namespace meta_key

inline std::string depot_database(std::string_view depot) { return "depot:" + std::string(depot); }
inline std::string pstate_database(std::string_view pstate) { return "pstate:" + std::string(pstate); }

inline std::filesystem::path module_directory(const std::filesystem::path& cluster_dir, std::string_view module) {
  return cluster_dir / module;
}
// Where a new module directory is built before it is renamed into place, so that a crash during
// creation never leaves a half-made module behind. No module name starts with '.'.
inline std::filesystem::path module_staging_directory(const std::filesystem::path& cluster_dir, std::string_view module) {
  return cluster_dir / (".creating-" + std::string(module));
}
inline std::filesystem::path task_directory(const std::filesystem::path& module_dir, std::uint32_t task) {
  return module_dir / ("task-" + std::to_string(task));
}

inline std::string depot_key(std::uint64_t offset) { return codec::encode_key(offset); }

inline std::string source_offset_key(std::string_view topology, std::string_view depot) {
  return codec::encode_key(std::tuple{topology, depot});
}

inline std::string outbox_key(std::uint32_t target_task, std::uint64_t seq) {
  return codec::encode_key(std::tuple{target_task, seq});
}

inline std::string applied_key(std::uint32_t source_task) { return codec::encode_key(source_task); }

// The value stored under `key`, decoded as a T; nullopt if absent.
template <class T, class Txn>
std::optional<T> read_value(const Txn& txn, storage::database db, std::string_view key) {
  const auto bytes = txn.get(db, key);
  if (!bytes) return std::nullopt;
  return codec::decode_value<T>(*bytes);
}

// The value of an outbox entry: which continuation to run on the target, and its input.
struct outbox_message {
  BOOST_HANA_DEFINE_STRUCT(outbox_message,
    (std::uint32_t, topology),
    (std::uint32_t, hop),
    (std::string, payload));
};

}  // namespace sluice::runtime::detail
