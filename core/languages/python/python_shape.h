// Validation of Python template scripts without a second parse (see python_shape.cpp).
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "language.h"

namespace telinject::python {

/// LanguageSupport::proves_instrumented for Python. `is_import_line(row)`: whether `remove`
/// takes `row` out as the helper's import line.
bool proves_instrumented(const ParsedSource& file, const std::vector<FunctionInfo>& functions,
                         const std::vector<size_t>& added, const std::vector<TextEdit>& edits,
                         std::string_view output, const std::vector<LanguageTemplate>& known,
                         const std::function<bool(std::string_view row)>& is_import_line);

}  // namespace telinject::python
