#pragma once
// sluice::decode_error: the one exception the codecs throw when bytes are not a valid
// encoding of the type asked for, whether truncated, corrupted or never sluice's at all.
// Its message names what was being decoded, so a failure deep inside a nested value can be
// traced: "sluice: cannot decode std::string length: needs 12 bytes, 3 remain".

#include <stdexcept>
#include <string>
#include <string_view>

namespace sluice {

class decode_error : public std::runtime_error {
 public:
  // `subject` names what was being decoded, `detail` what was wrong with it.
  decode_error(std::string_view subject, std::string_view detail)
      : std::runtime_error{describe(subject, detail)} {}

 private:
  static std::string describe(std::string_view subject, std::string_view detail) {
    std::string message{"sluice: cannot decode "};
    message.append(subject).append(": ").append(detail);
    return message;
  }
};

}  // namespace sluice
