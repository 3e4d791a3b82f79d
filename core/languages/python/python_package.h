// Where a Python file sits in its package, found on disk: the name Python imports it by, and
// where the runtime helper must go so that every instrumented module can import it.
#pragma once

#include <filesystem>
#include <string>

#include "language.h"

namespace telinject::python {

/// The helper's file name; inside a package it is imported as `<top package>.telinject_runtime`.
inline constexpr const char* kHelperFile = "telinject_runtime.py";

struct ModuleLocation {
  /// The import name: "shop.cart" for shop/cart.py, "shop" for shop/__init__.py, "tool" for a
  /// stand-alone tool.py.
  std::string module;
  /// The outermost package holding the module, namespace packages included ("shop",
  /// "ns.pkg"); empty for a stand-alone module.
  std::string top_package;
  /// The module the instrumented file imports: "shop.telinject_runtime", or "telinject_runtime"
  /// for a stand-alone module (the helper sits beside it: `python tool.py` puts that folder first
  /// on sys.path).
  std::string helper_module;
  /// Where the helper goes, relative to FileLocation::root (may start with ".." when the run was
  /// given a folder inside the package).
  std::filesystem::path helper_path;
};

/// Locates `file` the way Python's import system sees it, independent of the root telinject was
/// given: the package is the chain of folders holding an `__init__.py` above the file (the rule
/// pytest's default import mode uses to find the base folder it puts on sys.path), so the CLI on
/// the repository, on a package, on one file and the language server all name `shop/cart.py`
/// `shop.cart`. Namespace packages (folders without `__init__.py`) count only below a source
/// root the project declares the way ruff does (`src` in [tool.ruff] of pyproject.toml, or in
/// ruff.toml): with `src = ["src"]`, src/ns/pkg/mod.py is `ns.pkg.mod`.
/// With an empty `file.root` (text from a test) nothing is read from disk: `file.relative` is
/// taken as the path from the base folder. Thread-safe; reads only `__init__.py` existence.
ModuleLocation locate_module(const FileLocation& file);

}  // namespace telinject::python
