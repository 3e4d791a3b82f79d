// Which module system a JavaScript or TypeScript file belongs to, as Node.js decides it: the
// extension (.mjs/.mts: ES module; .cjs/.cts: CommonJS), else the "type" field of the nearest
// package.json. Decides which helper file a file imports and how.
#pragma once

#include <filesystem>
#include <string>

#include "language.h"

namespace telinject::javascript {

/// The helper files written at the root of an instrumented tree.
inline constexpr const char* kCommonJsHelper = "telinject_runtime.cjs";
inline constexpr const char* kModuleHelper = "telinject_runtime.mjs";

/// True when Node.js loads the file as an ES module. Reads package.json files from the file's
/// directory upwards (results cached per directory; thread-safe). With an empty root nothing is
/// read and only the extension counts.
bool is_es_module(const FileLocation& file);

/// The path to write in the file's import of `helper` (a file at the root): "./x" beside the
/// root, "../../x" two folders down. Always '/'-separated.
std::string helper_specifier(const FileLocation& file, const std::string& helper);

/// The "type" field of the package.json text, or "" when absent or unreadable.
std::string package_type(const std::string& package_json);

}  // namespace telinject::javascript
