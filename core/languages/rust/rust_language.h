// Rust support: `fn` items (free, in `impl` blocks, trait default bodies, nested, `async`) and
// closures with a block body get a Drop guard as the first statement of their body,
// `let _telinject_span = crate::telinject::span("crate::m::T::f", file!(), line!());`, on the row
// of the opening brace, so that every row keeps its line number and `?`, early returns and panics
// close the span. The helper is one module, telinject.rs beside the crate root, declared by
// `mod telinject;` appended to the root (lib.rs, main.rs). `const fn`, bodiless declarations and
// macro bodies are left alone. docs/rust.md.
#pragma once

#include "language.h"

namespace telinject {

const LanguageSupport& rust_language();

}  // namespace telinject
