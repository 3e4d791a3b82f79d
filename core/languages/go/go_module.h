// Go modules around a file, found on disk: the nearest go.mod, the module path it names, and
// where the helper package goes for that module.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "language.h"

namespace telinject::go {

/// The module around a file: the nearest go.mod at or above the file's directory (it may lie
/// above `root`). Nothing when `root` is empty, no go.mod is found or it names no module.
struct GoModule {
  std::filesystem::path dir;
  std::string path;  // "example.com/m"
};
std::optional<GoModule> find_module(const FileLocation& file);

/// Reads the `module` directive of go.mod text; empty when there is none.
std::string module_path_of(std::string_view go_mod);

/// Import path of the helper package for `file`: "<module>/telinject"; "telinject" for the
/// standard library's module "std" and for files outside any module.
std::string helper_import_path(const FileLocation& file);

/// The helper's source file, relative to `file.root`: telinject/telinject.go in the module's
/// root directory (the scanned root when there is no module).
std::filesystem::path helper_file(const FileLocation& file);

}  // namespace telinject::go
