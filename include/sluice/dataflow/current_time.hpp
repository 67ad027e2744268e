#pragma once
// sluice::current_time_millis: the cluster clock's time, for `each`:
//   .each(sluice::current_time_millis).out("*now"_v)
// It reads the clock of the event's batch (simulated in tests), so a topology never calls the
// system clock itself.

#include <cstdint>
#include <stdexcept>

namespace sluice {

struct current_time_millis_t {
  // A pipeline reads the event's clock instead of calling this (pipeline.hpp); the body exists
  // only to give each() its result type.
  std::int64_t operator()() const {
    throw std::logic_error("sluice::current_time_millis has a value only inside a topology's each()");
  }
};
inline constexpr current_time_millis_t current_time_millis{};

}  // namespace sluice
