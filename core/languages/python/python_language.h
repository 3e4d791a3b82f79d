// Python support: functions are `def` / `async def` at any depth; telemetry wraps the body
// (after the docstring) in a `with` block, which adds no stack frame, keeps the function object
// itself (name, signature, pickling, zero-argument super()) and works for generators and
// coroutines alike.
#pragma once

#include "language.h"

namespace telinject {

const LanguageSupport& python_language();

}  // namespace telinject
