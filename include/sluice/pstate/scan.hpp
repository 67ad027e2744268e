#pragma once
// A lazy view over the elements of one stored collection (the top-level map, or a subindexed
// collection a path leads to): a range-v3 input range that reads one entry per step, in a read
// transaction it keeps open for as long as the view lives, so results of any size are never
// loaded at once.
//
//   for (const auto& post : partition.scan(env.begin_read(), path::key("alice"))) ...

#include <sluice/codec/byte_reader.hpp>
#include <sluice/codec/key_codec.hpp>
#include <sluice/codec/value_codec.hpp>
#include <sluice/pstate/layout.hpp>
#include <sluice/pstate/schema.hpp>
#include <sluice/pstate/stored_navigation.hpp>
#include <sluice/storage/cursor.hpp>
#include <sluice/storage/database.hpp>
#include <sluice/storage/transaction.hpp>

#include <range/v3/view/facade.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace sluice {
namespace pstate_detail {

/// A select sink that keeps where the path ends instead of loading it (select_stored gives it the
/// stored range of the collection reached).
struct location_capture {
  std::optional<stored_range> at;

  void capture(const stored_range& found) { at = found; }
  // Values in memory are never reached (the path ends at a stored collection), but the
  // navigation code for them is compiled all the same.
  template <class Value>
  void operator()(const Value&) const {}
};

}  // namespace pstate_detail

/// The elements of a stored collection with schema S, read lazily: list elements, set members,
/// or (key, value) pairs of a map, in order. Single pass; copies share one position.
template <class S>
class element_scan : public ranges::view_facade<element_scan<S>, ranges::unknown> {
 public:
  using element_type = typename pstate_detail::all_target<S>::type;

  element_scan() = default;
  element_scan(storage::read_txn txn, storage::database db, std::optional<pstate_detail::stored_range> at)
      : state_(std::make_shared<state>(std::move(txn), db, std::move(at))) {}

 private:
  friend ranges::range_access;

  // The transaction, the LMDB cursor tied to it (declared after it, so closed before it), and
  // the element under the cursor. An absent collection (a must() that found nothing) reads empty.
  struct state {
    storage::read_txn txn;
    storage::database db;
    storage::read_cursor cursor;
    pstate_detail::stored_range at;
    std::string end;
    std::size_t left;
    std::string element_bytes;
    std::optional<element_type> current;

    state(storage::read_txn t, storage::database database, std::optional<pstate_detail::stored_range> where)
        : txn(std::move(t)),
          db(database),
          cursor(txn.open_cursor(db)),
          at(where.value_or(pstate_detail::stored_range::top_level())),
          end(at.end_key()),
          left(where ? at.limit : 0) {
      load(cursor.seek(at.first_key()));
    }

    void advance() {
      if constexpr (pstate_detail::has_nested_values_v<S>) load(cursor.seek(pstate_detail::subtree_end(element_bytes)));
      else load(cursor.next());
    }

    void load(std::optional<storage::entry> entry) {
      current.reset();
      if (!entry || left == 0 || entry->key >= end) return;
      --left;
      using key_type = typename pstate_detail::element_key_type<S>::type;
      codec::byte_reader reader{entry->key.substr(at.prefix.size() + 1)};
      key_type element = codec::decode_key_from<key_type>(reader);
      element_bytes.assign(entry->key.substr(0, at.prefix.size() + 1 + reader.position()));
      current.emplace(decode(std::move(element), entry->value));
    }

    template <class Key>
    element_type decode(Key&& element, std::string_view value) {
      if constexpr (schema::is_set_v<S>) {
        return std::forward<Key>(element);
      } else {
        using V = typename pstate_detail::element_value_schema<S>::type;
        auto decoded = [&] {
          if constexpr (schema::is_subindexed_v<V>) {
            pstate_detail::store<storage::read_txn> st{txn, db};
            return pstate_detail::materialize<V>(st, pstate_detail::stored_range::nested(element_bytes));
          } else {
            return codec::decode_value<schema::value_of_t<V>>(value);
          }
        };
        if constexpr (schema::is_list_v<S>) return decoded();
        else return element_type{std::forward<Key>(element), decoded()};
      }
    }
  };

  struct cursor {
    state* s = nullptr;
    const element_type& read() const { return *s->current; }
    void next() { s->advance(); }
    bool equal(ranges::default_sentinel_t) const { return s == nullptr || !s->current; }
  };
  cursor begin_cursor() const { return {state_.get()}; }

  std::shared_ptr<state> state_;
};

}  // namespace sluice
