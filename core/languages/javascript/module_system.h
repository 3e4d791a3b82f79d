// Where a JavaScript or TypeScript file sits in its project, read from the disk around it:
// - which module system it belongs to, as Node.js decides it: the extension (.mjs/.mts: ES
//   module; .cjs/.cts: CommonJS), else the "type" field of the nearest package.json;
// - its package root, which qualified names and the helper's place are relative to, so that
//   they do not depend on the root telinject was given (see docs/javascript.md).
// Facts about directories are cached; each use checks the directory's and its package.json's
// modification times, so a package.json that appears, goes or changes while the language
// server runs is seen.
#pragma once

#include <filesystem>
#include <string>

#include "language.h"

namespace telinject::javascript {

/// The helper files written at each package root.
inline constexpr const char* kCommonJsHelper = "telinject_runtime.cjs";
inline constexpr const char* kModuleHelper = "telinject_runtime.mjs";

/// True when Node.js loads the file as an ES module. Reads package.json files from the file's
/// directory upwards. With an empty root nothing is read and only the extension counts.
/// Thread-safe.
bool is_es_module(const FileLocation& file);

/// The file's package root, absolute: the nearest directory at or above the file's whose
/// package.json has a "name" (package.json files without one, such as `{"type": "module"}`
/// markers in build folders, only set the module system); without one below the repository
/// root (the nearest directory holding `.git`), that repository root; without a repository
/// either, `file.root`. Empty when `file.root` is empty. Thread-safe.
std::filesystem::path package_root(const FileLocation& file);

/// The file's path below its package root ("src/routes/users.js"); `file.relative` when the
/// root is empty.
std::filesystem::path path_in_package(const FileLocation& file);

/// Where `helper` goes, relative to `file.root`: at the file's package root
/// ("telinject_runtime.cjs", "packages/api/telinject_runtime.cjs", or "../telinject_runtime.cjs"
/// when telinject was given a folder inside the package). At the root when the root is empty.
std::filesystem::path helper_path(const FileLocation& file, const std::string& helper);

/// The path to write in the file's import of `helper` (a file at its package root): "./x"
/// beside it, "../../x" two folders down. Always '/'-separated.
std::string helper_specifier(const FileLocation& file, const std::string& helper);

/// The "type" field of the package.json text, or "" when absent or unreadable.
std::string package_type(const std::string& package_json);

}  // namespace telinject::javascript
