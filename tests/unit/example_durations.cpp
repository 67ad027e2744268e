// The timed_notifications program's DUE and DURATION parsing.

#include <timed_notifications/durations.hpp>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <limits>

using timed_notifications::parse_due;
using timed_notifications::parse_duration;
using std::chrono::milliseconds;

TEST_CASE("durations take ms, s, m and h, or bare milliseconds", "[example]") {
  CHECK(parse_duration("1500ms") == milliseconds{1500});
  CHECK(parse_duration("1500") == milliseconds{1500});
  CHECK(parse_duration("5s") == milliseconds{5000});
  CHECK(parse_duration("2m") == milliseconds{120'000});
  CHECK(parse_duration("1h") == milliseconds{3'600'000});
  for (const char* bad : {"", "s", "-5s", "5x", "5 s", "1.5s", "99999999999999999999"}) CHECK_FALSE(parse_duration(bad));
  CHECK_FALSE(parse_duration("9223372036854775807h"));  // overflows
}

TEST_CASE("due times are epoch milliseconds or +DURATION from now", "[example]") {
  CHECK(parse_due("1767225600000", 0) == 1767225600000);
  CHECK(parse_due("-5", 0) == -5);
  CHECK(parse_due("+1500ms", 1000) == 2500);
  CHECK(parse_due("+2m", 0) == 120'000);
  for (const char* bad : {"", "+", "+5x", "12ab", "soon"}) CHECK_FALSE(parse_due(bad, 0));
  CHECK_FALSE(parse_due("+1ms", std::numeric_limits<std::int64_t>::max()));
}
