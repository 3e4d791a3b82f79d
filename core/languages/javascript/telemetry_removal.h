// Taking telemetry out of JavaScript and TypeScript: byte for byte where the text is as telinject
// wrote it, and by shape (telemetry_shape.h) where a formatter has rewritten it since. Nothing
// that does not have the template's shape is touched.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "javascript/javascript_syntax.h"
#include "language.h"

namespace telinject::javascript {

/// The text that opens an expression-bodied arrow's new block, before the header: a comment
/// formatters keep, which tells that block from one written with a single `return`.
inline constexpr std::string_view kExpressionMark = "/* telinject: expression body */";

/// One function's telemetry as the template renders it for that function.
struct RenderedTelemetry {
  const LanguageTemplate& tmpl;
  std::string header;  // with the function's current name (a stale name is still recognised)
  std::string footer;
};

/// The edits that take the telemetry of `function` (kInstrumented, body laid out as `layout`)
/// out, or nothing when it is not the template's (edited by hand).
std::optional<std::vector<TextEdit>> telemetry_removal(const SourceText& source,
                                                       const FunctionInfo& function,
                                                       const BodyLayout& layout,
                                                       const RenderedTelemetry& telemetry);

/// The edits that take out the first top-level statement that is one of the templates'
/// imports (with the line it stands on when it has one of its own), or none.
std::vector<TextEdit> import_removal(const SourceText& source, TSNode root,
                                     const std::vector<LanguageTemplate>& known);

/// The top-level statement that is one of the templates' imports, or a null node.
TSNode find_template_import(const SourceText& source, TSNode root,
                            const std::vector<LanguageTemplate>& known);

}  // namespace telinject::javascript
