// Ruby support: every `def` (instance, `def self.x`, `def obj.x`, in `class << self`, in
// modules, nested classes and modules, endless `def f = expr`) gets its body wrapped in a block
// given to the helper, `Telinject.span("Shop::Cart#add", "lib/shop/cart.rb", 3) do ... end`,
// opened on the row where the parameters end and closed on the row of the method's `end`, so
// that every original statement keeps its line. The block keeps `return`, `yield`, `super`,
// `block_given?`, `__method__`, `binding` and the body's own `rescue`/`else`/`ensure` working.
// The helper is one file, telinject.rb, in the project's lib/ (found from the file's place),
// loaded by a `require_relative` put in front of the file's first statement. docs/ruby.md.
#pragma once

#include <filesystem>
#include <string>

#include "language.h"

namespace telinject {

const LanguageSupport& ruby_language();

namespace ruby {

/// The folder where the project around `file` keeps its helper: the nearest folder above the
/// file holding a Gemfile or a *.gemspec, its lib/ when it has one; without a project, the
/// file's own folder. Relative to `file.root` (empty root: the file's folder as written).
std::filesystem::path helper_file(const FileLocation& file);

/// The argument of the file's `require_relative`: the helper's path from the file's folder,
/// without ".rb" ("../telinject", "telinject").
std::string helper_require_path(const FileLocation& file);

/// The file's path from its project folder (the Gemfile's or *.gemspec's), for code.file.path.
std::string path_in_project(const FileLocation& file);

}  // namespace ruby
}  // namespace telinject
