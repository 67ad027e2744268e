#pragma once
// The boundary between the dataflow layer and the runtime. Defining a module produces a
// module_plan: its depots, and per topology its PStates and its compiled pipelines, each erased
// once to a handler the runtime calls with an event_context. The runtime knows nothing of
// dataflow types; the dataflow layer knows nothing of threads, queues or recovery.

#include <sluice/storage/database.hpp>
#include <sluice/storage/transaction.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::dataflow {

/// Where a pipeline sends its continuation when it moves to other tasks. The runtime writes each
/// send to the current task's outbox in the event's transaction and delivers it after commit.
class hop_sink {
 public:
  virtual void send(std::uint32_t target_task, std::uint32_t hop, std::string payload) = 0;
  virtual void send_to_all(std::uint32_t hop, std::string payload) = 0;

 protected:
  ~hop_sink() = default;
};

/// What one running event sees of its task.
struct event_context {
  storage::write_txn& txn;                      // the event's own (nested) transaction
  std::uint32_t task;                           // the task it runs on
  std::uint32_t task_count;
  std::int64_t now_millis;                      // the cluster clock when the event's batch began
  std::span<const storage::database> pstates;   // the topology's PStates on this task, in declaration order
  hop_sink& hops;                               // the topology's hops
};

using source_handler = std::function<void(event_context&, std::string_view encoded_record)>;
using hop_handler = std::function<void(event_context&, std::string_view payload)>;

struct source_subscription {
  std::string depot;        // a depot or tick depot of the module
  source_handler handler;   // runs once per record appended (per tick), on the record's task
};

/// A depot or PState, by name, with how its data is encoded: codec::describe_encoding of a
/// depot's record type, schema::describe of a PState's schema. Launch checks stored_type against
/// what the data directory recorded for the name; an empty one is not checked.
struct stored_declaration {
  stored_declaration(std::string name, std::string stored_type = {})
      : name(std::move(name)), stored_type(std::move(stored_type)) {}

  std::string name;
  std::string stored_type;
};

/// The rest of a chain after a partitioner, as the target task runs it.
struct hop_plan {
  hop_plan(hop_handler handler, std::string stored_type = {})
      : handler(std::move(handler)), stored_type(std::move(stored_type)) {}

  hop_handler handler;
  /// What its messages hold: the chain's source and the variables bound before the partitioner,
  /// with their encodings. A launch refuses to deliver messages that an outbox kept from a hop of
  /// another stored type; an empty one is not checked.
  std::string stored_type;
};

struct topology_plan {
  std::string name;
  std::vector<stored_declaration> pstates;    // declared PStates, in declaration order
  std::vector<source_subscription> sources;
  std::vector<hop_plan> hops;                 // a hop's id is its index
};

struct tick_plan {
  std::string name;
  std::chrono::milliseconds interval;
};

struct module_plan {
  std::string name;
  std::vector<stored_declaration> depots;
  std::vector<tick_plan> ticks;
  std::vector<topology_plan> topologies;
};

}  // namespace sluice::dataflow
