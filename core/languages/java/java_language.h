// Java support: methods, constructors (after their this(...)/super(...) call), compact
// constructors and block lambdas get their body wrapped, on the rows of its braces, in
// `telinject.Telinject.Span _telinject_span = telinject.Telinject.span(...); try { BODY } catch
// (Throwable _telinject_error) { ...; throw _telinject_error; } finally { ... }`: every line
// keeps its number, and the method declares nothing new (the rethrow is precise, Java 7). The
// helper is one class, telinject/Telinject.java at the source root (found from the file's
// package declaration and path), which instrumented files name fully qualified: no import.
// docs/java.md.
#pragma once

#include "language.h"

namespace telinject {

const LanguageSupport& java_language();

}  // namespace telinject
