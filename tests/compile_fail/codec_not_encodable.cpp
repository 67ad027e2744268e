// Encoding a struct that is not adapted to Boost.Hana: one static_assert, naming the type.
// expect: sluice: this type cannot be encoded: supported are
// expect: not_adapted
#include <sluice/codec/value_codec.hpp>

#include <boost/hana/define_struct.hpp>

struct not_adapted {
  int x;
};

struct adapted {
  BOOST_HANA_DEFINE_STRUCT(adapted, (int, x));
};

int main() {
#ifdef SLUICE_COMPILE_FAIL
  return static_cast<int>(sluice::codec::encode_value(not_adapted{1}).size());
#else
  return static_cast<int>(sluice::codec::encode_value(adapted{1}).size());
#endif
}
