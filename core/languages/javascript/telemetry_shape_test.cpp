#include "javascript/telemetry_shape.h"

#include <doctest/doctest.h>

using namespace telinject;
using javascript::shape_tokens;
using javascript::TemplateShape;

TEST_CASE("javascript: shapes ignore what formatters change, and nothing else") {
  CHECK(shape_tokens("f('a', \"b\",\n)") == shape_tokens("f(\"a\", \"b\");"));
  CHECK(shape_tokens("'it\\'s'") == shape_tokens("\"it's\""));
  CHECK(shape_tokens("a.b(c)") != shape_tokens("a.b(d)"));
  bool comment = false;
  shape_tokens("a /* x */ b", &comment);
  CHECK(comment);

  TemplateShape declaration("const _s = t.enter({name}, \"{kind}\");");
  CHECK(declaration.matches("const _s = t.enter(\n  'a.b',\n  'async_function',\n)"));
  CHECK_FALSE(declaration.matches("const _s = t.enter('a.b', 'function', extra);"));
  CHECK_FALSE(declaration.matches("const _s = t.enter('a.b', /* mine */ 'function');"));
  CHECK(TemplateShape("const _s = t.enter(").starts("const _s = t\n  .enter('x', 'y')"));
  CHECK(javascript::header_declaration("const s = a({name}); try {") == "const s = a({name}); ");
}
