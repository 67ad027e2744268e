#pragma once
// From a module type to its plan: a module is any type with
//   void define(sluice::setup&, sluice::topologies&) const;
// and, optionally, `static constexpr std::string_view name` (else its type name is used).

#include <sluice/codec/type_name.hpp>
#include <sluice/dataflow/plan.hpp>
#include <sluice/dataflow/topology.hpp>

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

namespace sluice {

template <class Module>
concept module = requires(const Module& m, setup& s, topologies& t) { m.define(s, t); };

namespace dataflow {

/// A module's name as used for its directory: letters, digits, '-', '_' and '.' only.
template <class Module>
std::string module_name() {
  std::string name;
  if constexpr (requires { std::string_view{Module::name}; }) name = std::string(Module::name);
  else name = std::string(codec::type_name_v<Module>);
  std::ranges::replace_if(name, [](char c) { return !(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'); }, '_');
  return name;
}

/// Runs Module::define and checks that every chain reads a declared depot.
template <module Module>
module_plan make_module_plan(const Module& definition = Module{}) {
  module_plan plan;
  plan.name = module_name<Module>();
  setup s{plan};
  topologies t;
  definition.define(s, t);
  plan.topologies = std::move(t).take_plans();
  for (const auto& topology : plan.topologies)
    for (const auto& source : topology.sources) {
      const bool declared = std::ranges::find(plan.depots, source.depot, &stored_declaration::name) != plan.depots.end() ||
                            std::ranges::find(plan.ticks, source.depot, &tick_plan::name) != plan.ticks.end();
      if (!declared)
        throw definition_error("sluice: topology " + topology.name + " reads depot " + source.depot +
                               ", which the module does not declare; declare it with setup.declare(...)");
    }
  return plan;
}

}  // namespace dataflow
}  // namespace sluice
