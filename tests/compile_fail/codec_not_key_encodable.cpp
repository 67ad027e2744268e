// A std::map has no order-preserving key encoding: one static_assert, naming the type.
// expect: sluice: this type cannot be encoded as a key: supported are
// expect: std::map<int, int>
#include <sluice/codec/key_codec.hpp>

#include <map>
#include <vector>

int main() {
#ifdef SLUICE_COMPILE_FAIL
  return static_cast<int>(sluice::codec::encode_key(std::map<int, int>{}).size());
#else
  return static_cast<int>(sluice::codec::encode_key(std::vector<int>{}).size());
#endif
}
