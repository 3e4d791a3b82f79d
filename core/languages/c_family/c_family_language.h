// C and C++ support: every function definition (C++: methods, constructors, destructors,
// operators, lambdas too) gets `TELINJECT_SPAN("ns::A::f");` right after the `{` of its body, on
// the brace's row, so every original line keeps its number. The macro comes from telinject.h,
// written beside each instrumented file and included after the file's last top-level #include
// with a `#line` directive that restores the numbering below it. docs/c.md.
#pragma once

#include "language.h"

namespace telinject {

const LanguageSupport& c_language();
const LanguageSupport& cpp_language();

}  // namespace telinject
