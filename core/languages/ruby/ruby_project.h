// Where a Ruby file's project is (the nearest folder holding a Gemfile or a *.gemspec), and from
// it where the helper telinject.rb goes and how the file names itself in its records.
#pragma once

#include <filesystem>
#include <string>

#include "language.h"

namespace telinject {
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
