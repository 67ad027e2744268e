#pragma once
// Parsing the times the timed_notifications program accepts: DUE is epoch milliseconds or
// "+DURATION" from now, and a DURATION is a whole number with a unit: 1500ms, 5s, 2m, 1h.

#include <charconv>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>

namespace timed_notifications {

/// "1500ms", "5s", "2m", "1h" (a bare number is milliseconds); nullopt if malformed or negative.
inline std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  std::int64_t amount = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), amount);
  if (error != std::errc{} || end == text.data() || amount < 0) return std::nullopt;
  const std::string_view unit{end, static_cast<std::size_t>(text.data() + text.size() - end)};
  std::int64_t scale = 0;
  if (unit.empty() || unit == "ms") scale = 1;
  else if (unit == "s") scale = 1000;
  else if (unit == "m") scale = 60'000;
  else if (unit == "h") scale = 3'600'000;
  else return std::nullopt;
  if (amount > INT64_MAX / scale) return std::nullopt;
  return std::chrono::milliseconds{amount * scale};
}

/// Epoch milliseconds ("1767225600000", "-5") or "+DURATION" after `now_millis`.
inline std::optional<std::int64_t> parse_due(std::string_view text, std::int64_t now_millis) {
  if (text.starts_with('+')) {
    const auto after = parse_duration(text.substr(1));
    if (!after || after->count() > INT64_MAX - now_millis) return std::nullopt;
    return now_millis + after->count();
  }
  std::int64_t millis = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), millis);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return millis;
}

}  // namespace timed_notifications
