// Go modules and import declarations: where the helper package lives for a file (from the
// nearest go.mod), and the edits that add or take out its import so that gofmt keeps the file
// as it is and the compiler keeps the original line numbers.
#pragma once

#include <tree_sitter/api.h>

#include <filesystem>
#include <optional>
#include <string>

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

/// The edit that adds the import spec `spec` (`_telinject "example.com/m/telinject"`) to the
/// file. Into the last run of the last grouped import declaration at its sorted place when that
/// group is plain (no comments, one spec per row, not `import "C"`); otherwise as its own
/// declaration on the row after the last import declaration (or after the package clause and a
/// blank row). The added row ends with a `/*line :N:1*/` directive so that the rows below keep
/// their numbers, unless a comment follows (see line_directive_after). Nothing when `spec` is
/// imported already.
std::optional<TextEdit> add_import_spec(const SourceText& source, TSNode root,
                                        const std::string& spec);

/// The edit that takes out an import spec telinject added: one whose text is `spec`, or which
/// the template's `import_line` produces for another helper path (the module was renamed).
/// Nothing when there is none or it was rewritten by hand (the row no longer holds only it).
std::optional<TextEdit> remove_import_spec(const SourceText& source, TSNode root,
                                           const std::string& spec, const std::string& import_line);

}  // namespace telinject::go
