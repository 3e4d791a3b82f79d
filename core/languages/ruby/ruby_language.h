// Ruby support: every `def` (instance, `def self.x`, `def obj.x`, in `class << self`, in
// modules, nested classes and modules, endless `def f = expr`) gets its body wrapped in a block
// given to the helper, `Telinject.span("Shop::Cart#add", "lib/shop/cart.rb", 3) do ... end`,
// opened on the row where the parameters end and closed on the row of the method's `end`, so
// that every original statement keeps its line. The block keeps `return`, `yield`, `super`,
// `block_given?`, `__method__`, `binding` and the body's own `rescue`/`else`/`ensure` working.
// The helper is one file, telinject.rb, in the project's lib/ (found from the file's place),
// loaded by a `require_relative` put in front of the file's first statement. docs/ruby.md.
#pragma once

#include "language.h"

namespace telinject {

const LanguageSupport& ruby_language();

}  // namespace telinject
