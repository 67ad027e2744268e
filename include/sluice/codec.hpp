#pragma once
// sluice's codec layer: how values and keys become bytes and back.
//
//   value_codec.hpp   compact binary encoding of values
//   key_codec.hpp     order-preserving, prefix-free encoding of keys
//   stable_hash.hpp   the 64-bit hash of encoded keys that places data in partitions
//   byte_reader.hpp   the bounds-checked reader every decoder reads through
//   decode_error.hpp  the exception every decoder throws on bad input
//   describe.hpp      a type's encoding as a string, stored with the data it describes

#include <sluice/codec/byte_reader.hpp>
#include <sluice/codec/decode_error.hpp>
#include <sluice/codec/describe.hpp>
#include <sluice/codec/key_codec.hpp>
#include <sluice/codec/stable_hash.hpp>
#include <sluice/codec/type_name.hpp>
#include <sluice/codec/value_codec.hpp>
