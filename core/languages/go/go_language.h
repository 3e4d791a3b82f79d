// Go support: function and method declarations (generic ones too) get one deferred call as the
// first statement of their body, `defer _telinject.Span("pkg.(*T).M")()`, on a row of its own
// after the opening brace and a `//line` directive that gives it the brace's line, so that
// every row below keeps the line number it had (panics, stack traces and compiler messages point at
// the original lines). The helper is a package written into the module (telinject/ beside go.mod);
// its import joins the file's import block as gofmt would place it. Function literals are reported,
// not instrumented.
#pragma once

#include "language.h"

namespace telinject {

const LanguageSupport& go_language();

}  // namespace telinject
