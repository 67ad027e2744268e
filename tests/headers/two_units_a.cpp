// The first of headers.two_units' two translation units: its report, for the second to compare.

#include "two_units.hpp"

#include <sluice/helpers/topology_scheduler.hpp>
#include <sluice/sluice.hpp>

namespace two_units {
namespace {
struct unit_a;
}  // namespace

report report_of_unit_a() { return make_report<unit_a>(); }

}  // namespace two_units
