#pragma once
// sluice::codec::type_name_v<T>: a readable name of T, computed at compile time, for error
// messages: "std::map<std::string, std::vector<int>>" rather than the compiler's
// "std::map<std::__cxx11::basic_string<char>, std::vector<int> >".
//
// detail::join_v glues such names to fixed labels, also at compile time, so a decoder can say
// "std::vector<int> element count" without building a string on every call.

#include <algorithm>
#include <array>
#include <cstddef>
#include <string_view>

namespace sluice::codec {
namespace detail {

// `auto` as the return type keeps GCC from appending typedef notes after T's name.
template <class T>
constexpr auto signature_naming() {
#if defined(__clang__) || defined(__GNUC__)
  return std::string_view{__PRETTY_FUNCTION__};
#else
  return std::string_view{"[T = unknown type]"};
#endif
}

// GCC writes "... [with T = X]", clang "... [T = X]".
template <class T>
constexpr std::string_view compiler_type_name() {
  constexpr std::string_view signature = signature_naming<T>();
  constexpr std::string_view marker = "T = ";
  constexpr std::size_t begin = signature.find(marker) + marker.size();
  return signature.substr(begin, signature.rfind(']') - begin);
}

struct respelling {
  std::string_view from;
  std::string_view to;
};

// Two passes: the first removes what differs between compilers and standard libraries (GCC
// writes "long unsigned int" where clang writes "unsigned long"), so that the second needs
// only one spelling of each alias.
inline constexpr std::array compiler_spellings{
    respelling{"std::__cxx11::", "std::"},
    respelling{" >", ">"},
    respelling{"long long unsigned int", "unsigned long long"},
    respelling{"long unsigned int", "unsigned long"},
    respelling{"short unsigned int", "unsigned short"},
    respelling{"long long int", "long long"},
    respelling{"long int", "long"},
    respelling{"short int", "short"},
};

// Tried in order at each position, so a longer spelling precedes any prefix of it.
inline constexpr std::array alias_spellings{
    respelling{"std::basic_string<char, std::char_traits<char>, std::allocator<char>>",
               "std::string"},
    respelling{"std::basic_string<char>", "std::string"},
    respelling{"std::basic_string_view<char, std::char_traits<char>>", "std::string_view"},
    respelling{"std::basic_string_view<char>", "std::string_view"},
};

// Writes `name` respelled by `table` to `out`, when given, and returns its length: called once
// to size the buffer and once to fill it.
template <std::size_t TableSize>
constexpr std::size_t respell(std::string_view name,
                              const std::array<respelling, TableSize>& table,
                              char* out = nullptr) {
  std::size_t length = 0;
  while (!name.empty()) {
    respelling step{name.substr(0, 1), name.substr(0, 1)};
    for (const respelling& r : table) {
      if (name.starts_with(r.from)) {
        step = r;
        break;
      }
    }
    for (const char c : step.to) {
      if (out != nullptr) out[length] = c;
      ++length;
    }
    name.remove_prefix(step.from.size());
  }
  return length;
}

template <std::size_t Size, std::size_t TableSize>
constexpr std::array<char, Size> respelled(std::string_view name,
                                           const std::array<respelling, TableSize>& table) {
  std::array<char, Size> buffer{};
  respell(name, table, buffer.data());
  return buffer;
}

template <class T>
struct readable_type_name {
  static constexpr std::string_view raw = compiler_type_name<T>();
  static constexpr auto normalized =
      respelled<respell(raw, compiler_spellings)>(raw, compiler_spellings);
  static constexpr std::string_view normalized_view{normalized.data(), normalized.size()};
  static constexpr auto chars =
      respelled<respell(normalized_view, alias_spellings)>(normalized_view, alias_spellings);
};

template <const std::string_view&... Parts>
struct joined {
  static constexpr auto chars = [] {
    std::array<char, (Parts.size() + ... + 0)> buffer{};
    auto out = buffer.begin();
    ((out = std::copy(Parts.begin(), Parts.end(), out)), ...);
    return buffer;
  }();
};

// The concatenation of Parts, each a reference to a constexpr std::string_view.
template <const std::string_view&... Parts>
inline constexpr std::string_view join_v{joined<Parts...>::chars.data(),
                                         joined<Parts...>::chars.size()};

}  // namespace detail

template <class T>
inline constexpr std::string_view type_name_v{detail::readable_type_name<T>::chars.data(),
                                              detail::readable_type_name<T>::chars.size()};

}  // namespace sluice::codec
