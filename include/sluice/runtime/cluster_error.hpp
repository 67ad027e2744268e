#pragma once
// The errors a cluster throws for misuse, and for data directories it refuses to touch.

#include <stdexcept>
#include <string>

namespace sluice {

/// A cluster refused something: a locked or foreign data directory, a task count that differs
/// from the stored one, an unknown or ambiguous depot or PState, a malformed module plan.
class cluster_error : public std::runtime_error {
 public:
  explicit cluster_error(const std::string& what) : std::runtime_error("sluice: " + what) {}
};

/// The cluster stopped before the work an ack waited for was done, or a client was used after
/// its cluster stopped. Records whose append was acknowledged are durable all the same: hop
/// messages still in an outbox are delivered when the module is launched again.
class cluster_stopped : public cluster_error {
 public:
  using cluster_error::cluster_error;
};

}  // namespace sluice
