// JavaScript and TypeScript support: every kind of function (declarations, expressions, arrows,
// methods, accessors, constructors, generators, async) gets its body wrapped by insertions only:
// `{ const _telinject_span = ...enter(name, kind); try { BODY } catch (e) { ...fail(e); throw
// e; } finally { ...exit(); } }`, on the function's own lines, so `this`, `arguments`,
// `new.target`, hoisting, `length`, `name` and line numbers inside the function stay as they
// were. An expression-bodied arrow becomes a block body (`{... return EXPR; ...}`) the same way.
#pragma once

#include "language.h"

namespace telinject {

/// .js .mjs .cjs .jsx (the JavaScript grammar parses JSX).
const LanguageSupport& javascript_language();
/// .ts .mts .cts
const LanguageSupport& typescript_language();
/// .tsx
const LanguageSupport& tsx_language();

}  // namespace telinject
