#pragma once
// Errors of sluice's storage layer. Every failed LMDB call becomes a storage_error that names what
// sluice was doing and carries LMDB's code and message; a full map becomes storage_full.

#include <lmdb.h>

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace sluice {

class storage_error : public std::runtime_error {
 public:
  // A failed LMDB call: "sluice storage: <operation>: <LMDB's message>".
  storage_error(std::string operation, int code)
      : std::runtime_error(describe(operation, mdb_strerror(code))),
        operation_(std::move(operation)),
        code_(code) {}

  // A failed LMDB call that sluice can explain better: "... <explanation> (<LMDB's message>)".
  storage_error(std::string operation, int code, std::string_view explanation)
      : std::runtime_error(describe(operation, std::string(explanation) + " (" + mdb_strerror(code) + ")")),
        operation_(std::move(operation)),
        code_(code) {}

  // A misuse or failure that does not come from LMDB; code() is 0.
  storage_error(std::string operation, std::string_view message)
      : std::runtime_error(describe(operation, message)), operation_(std::move(operation)) {}

  // The LMDB (or errno) code, 0 if the error did not come from LMDB.
  [[nodiscard]] int code() const noexcept { return code_; }
  // What sluice was doing, e.g. "put" or "open environment '/data/task-0'".
  [[nodiscard]] const std::string& operation() const noexcept { return operation_; }

 private:
  static std::string describe(std::string_view operation, std::string_view text) {
    std::string message = "sluice storage: ";
    message.append(operation).append(": ").append(text);
    return message;
  }

  std::string operation_;
  int code_ = 0;
};

// The environment's map is full (MDB_MAP_FULL). The transaction that hit it can only be aborted;
// the environment and everything committed before stay intact.
class storage_full : public storage_error {
 public:
  explicit storage_full(std::string operation)
      : storage_error(std::move(operation), MDB_MAP_FULL,
                      "the LMDB map is full; raise environment_options::map_size") {}
};

}  // namespace sluice

namespace sluice::storage::detail {

// Throws the storage_error, or the subclass, that fits an LMDB code.
[[noreturn]] inline void throw_storage_error(int code, std::string_view operation) {
  if (code == MDB_MAP_FULL) throw storage_full(std::string(operation));
  throw storage_error(std::string(operation), code);
}

// Every LMDB call of the storage layer goes through here.
inline void check(int rc, std::string_view operation) {
  if (rc != MDB_SUCCESS) [[unlikely]]
    throw_storage_error(rc, operation);
}

}  // namespace sluice::storage::detail
