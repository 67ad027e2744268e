// The second of headers.two_units' two translation units: makes its own report, compares it with
// the first unit's and checks the values. That the program links at all is the main check: every
// function and variable defined in a header is inline, so two units may both use it.

#include "two_units.hpp"

#include <sluice/helpers/topology_scheduler.hpp>
#include <sluice/sluice.hpp>

#include <cstdio>
#include <string>

namespace {

struct unit_b;

int failures = 0;

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "headers.two_units: %s\n", what);
  ++failures;
}

}  // namespace

int main() {
  const two_units::report a = two_units::report_of_unit_a();
  const two_units::report b = two_units::make_report<unit_b>();
  check(a == b, "the two units disagree");
  check(a.type_name.data() == b.type_name.data(), "the two units see two copies of an inline variable");
  check(b.decoded_text == "water the plants", "a value does not survive encoding and decoding");
  check(b.key_hash == sluice::codec::stable_hash(b.encoded_key), "key_hash is not the stable hash of the key");
  check(b.type_name == "std::vector<std::string>", "type_name_v names std::vector<std::string> otherwise");
  check(b.path_type.find("term_val") != std::string::npos, "the path's type does not end in term_val");
  check(b.plan == "reminders depot:*reminders tick:*tick topology:core pstate:$$inbox pstate:$$due pstate:$$due-seq",
        "the module plan is not the one defined");
  if (failures != 0) {
    std::fprintf(stderr, "plan: %s\npath: %s\n", b.plan.c_str(), b.path_type.c_str());
    return 1;
  }
  std::printf("headers.two_units: both units agree (%zu-byte value, plan \"%s\")\n", b.encoded_value.size(),
              b.plan.c_str());
  return 0;
}
