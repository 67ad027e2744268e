#pragma once
// Waiting for a state another thread reaches without telling anyone, such as being blocked inside
// a wait: there is nothing to wait on, only something to observe.

#include <chrono>
#include <thread>

namespace sluice_test {

/// Whether `condition()` came to hold within `limit`, checking it whenever this thread gets to run.
template <class Condition>
bool eventually(Condition condition, std::chrono::seconds limit = std::chrono::seconds{60}) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

}  // namespace sluice_test
