// Go import declarations: the edits that add or take out the helper's import so that gofmt
// keeps the file as it is and the compiler keeps the original line numbers (where the helper
// lives is go_module.h).
#pragma once

#include <tree_sitter/api.h>

#include <optional>
#include <string>
#include <vector>

#include "language.h"

namespace telinject::go {

/// The edit that adds the import spec `spec` (`_telinject "example.com/m/telinject"`) to the
/// file. Into the last run of the last grouped import declaration at its sorted place when that
/// group is plain (no comments, one spec per row, not `import "C"`); otherwise as its own
/// declaration on the row after the last import declaration (or after the package clause and a
/// blank row). The added row ends with a `/*line :N:1*/` directive so that the rows below keep
/// their numbers, unless a comment follows (see line_directive_after). Nothing when `spec` is
/// imported already.
std::optional<TextEdit> add_import_spec(const SourceText& source, TSNode root,
                                        const std::string& spec);

/// The edit that adds the import specs `specs` the file lacks, each as an `import` declaration
/// of its own on a new row after the last import declaration (or after the package clause and
/// a blank row); the last added row ends with a `/*line :N:1*/` directive as add_import_spec's
/// does. Nothing when every spec is imported already.
std::optional<TextEdit> add_import_declarations(const SourceText& source, TSNode root,
                                                const std::vector<std::string>& specs);

/// The edit that takes out an import spec telinject added: one whose text is `spec`, or which
/// the template's `import_line` produces for another helper path (the module was renamed).
/// Nothing when there is none or it was rewritten by hand (the row no longer holds only it).
std::optional<TextEdit> remove_import_spec(const SourceText& source, TSNode root,
                                           const std::string& spec, const std::string& import_line);

}  // namespace telinject::go
