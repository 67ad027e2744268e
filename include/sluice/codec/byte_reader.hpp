#pragma once
// sluice::codec::byte_reader: the only way the codecs read bytes. A cursor over a
// std::string_view that checks every read against what remains and throws
// sluice::decode_error instead of reading past the end, so no input, however corrupt, can
// make a decoder touch memory it was not given.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <sluice/codec/decode_error.hpp>

namespace sluice::codec {
namespace detail {

// "1 byte", "3 bytes": for error messages.
inline std::string quantity(std::size_t n, std::string_view unit) {
  std::string text = std::to_string(n);
  text.append(" ").append(unit);
  if (n != 1) text.push_back('s');
  return text;
}

}  // namespace detail

class byte_reader {
 public:
  constexpr explicit byte_reader(std::string_view bytes) noexcept : bytes_{bytes} {}

  // The reader only views its bytes: a temporary string would be gone before the first read.
  explicit byte_reader(std::string&&) = delete;

  // The next `n` bytes. `what` names what is being decoded, for the error message.
  std::string_view take(std::size_t n, std::string_view what) {
    if (n > remaining()) {
      throw decode_error{what, "needs " + detail::quantity(n, "byte") + ", " +
                                   std::to_string(remaining()) +
                                   (remaining() == 1 ? " remains" : " remain")};
    }
    const std::string_view taken = bytes_.substr(position_, n);
    position_ += n;
    return taken;
  }

  std::uint8_t take_byte(std::string_view what) {
    return static_cast<std::uint8_t>(take(1, what).front());
  }

  // Throws unless everything has been read: a buffer holds exactly one encoded value.
  void expect_end(std::string_view what) const {
    if (!empty()) {
      throw decode_error{what,
                         detail::quantity(remaining(), "byte") + " left over after the value"};
    }
  }

  constexpr std::size_t remaining() const noexcept { return bytes_.size() - position_; }
  constexpr bool empty() const noexcept { return remaining() == 0; }
  constexpr std::string_view rest() const noexcept { return bytes_.substr(position_); }
  constexpr std::size_t position() const noexcept { return position_; }

 private:
  std::string_view bytes_;
  std::size_t position_ = 0;
};

}  // namespace sluice::codec
