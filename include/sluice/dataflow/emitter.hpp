#pragma once
// An `each` function that emits zero or many times takes `sluice::emitter<T>&` as its first
// parameter and calls it once per value; the rest of the chain runs for each call.

#include <type_traits>
#include <utility>

namespace sluice {

template <class T>
class emitter {
 public:
  using value_type = T;

  template <class Continuation>
  explicit emitter(Continuation& continuation) noexcept
      : target_(&continuation), call_([](void* target, T&& value) { (*static_cast<Continuation*>(target))(std::move(value)); }) {}

  void operator()(T value) const { call_(target_, std::move(value)); }

 private:
  void* target_;
  void (*call_)(void*, T&&);
};

namespace dataflow {

// The T of a callable whose first parameter is emitter<T>& (void if it has no such parameter).
template <class P> struct emitter_of_param { using type = void; };
template <class T> struct emitter_of_param<emitter<T>&> { using type = T; };

template <class Signature> struct first_param_emitter { using type = void; };
template <class R, class C, class P0, class... Ps>
struct first_param_emitter<R (C::*)(P0, Ps...) const> : emitter_of_param<P0> {};
template <class R, class C, class P0, class... Ps>
struct first_param_emitter<R (C::*)(P0, Ps...)> : emitter_of_param<P0> {};
template <class R, class P0, class... Ps>
struct first_param_emitter<R (*)(P0, Ps...)> : emitter_of_param<P0> {};

template <class F, class = void>
struct emitted_type : first_param_emitter<std::decay_t<F>> {};
template <class F>
struct emitted_type<F, std::void_t<decltype(&std::decay_t<F>::operator())>>
    : first_param_emitter<decltype(&std::decay_t<F>::operator())> {};

/// T when F emits through an emitter<T>&, else void.
template <class F>
using emitted_type_t = typename emitted_type<F>::type;

}  // namespace dataflow
}  // namespace sluice
