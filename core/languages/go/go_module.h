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
/// Looked up through `file.memo` when there is one (once per folder and run). Thread-safe.
struct GoModule {
  std::filesystem::path dir;  // absolute, normalised
  std::string path;           // "example.com/m"
};
std::optional<GoModule> find_module(const FileLocation& file);

/// The import path of the package holding `file`: the module path, then the file's folder
/// below the module's root ("example.com/m/internal/store"); for the standard library (module
/// "std") the folder below GOROOT/src alone ("net/http"). Empty when there is no module (see
/// find_module) or for a file in the root of the module "std".
std::string package_import_path(const FileLocation& file);

/// package_import_path as the Go toolchain writes it at the start of function names in stack
/// traces, runtime.FuncForPC and pprof: a '.' in the last element is escaped
/// ("gopkg.in/yaml.v3" -> "gopkg.in/yaml%2ev3"), as are spaces, '%', '"' and other bytes.
std::string symbol_package_path(const FileLocation& file);

/// Reads the `module` directive of go.mod text; empty when there is none.
std::string module_path_of(std::string_view go_mod);

/// Import path of the helper package for `file`: "<module>/telinject"; "telinject" for the
/// standard library's module "std" and for files outside any module.
std::string helper_import_path(const FileLocation& file);

/// The helper's main source file, relative to `file.root`: telinject/telinject.go in the
/// module's root directory (the scanned root when there is no module). The package's other files
/// (otlp_http.go, goroutine_*) sit beside it.
std::filesystem::path helper_file(const FileLocation& file);

}  // namespace telinject::go
