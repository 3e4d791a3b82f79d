#include "javascript/telemetry_removal.h"

#include <algorithm>

#include "javascript/telemetry_shape.h"

namespace telinject::javascript {
namespace {

// The parts of an instrumented body: `DECLARATION try { ... } catch ... finally { ... }`, or,
// when the header wraps the body in a callback, `DECLARATION try { return wrap(..., () => {
// ... }); } catch ... finally { ... }`.
struct Parts {
  TSNode declaration{};
  TSNode try_statement{};
  TSNode block{};  // the block holding the function's own statements
  uint32_t declaration_start = 0;
  uint32_t declaration_end = 0;
  uint32_t block_open = 0;   // that block's '{'
  uint32_t block_close = 0;  // that block's '}'
  uint32_t try_end = 0;
};

// The callback's body in `try { return [await] f(..., [async] () => {...}); }`, or a null node.
TSNode wrapped_block(TSNode try_block) {
  if (ts_node_named_child_count(try_block) != 1) return TSNode{};
  TSNode statement = ts_node_named_child(try_block, 0);
  if (!is(statement, "return_statement") || ts_node_named_child_count(statement) != 1)
    return TSNode{};
  TSNode value = ts_node_named_child(statement, 0);
  if (is(value, "await_expression") && ts_node_named_child_count(value) == 1)
    value = ts_node_named_child(value, 0);
  if (!is(value, "call_expression")) return TSNode{};
  TSNode arguments = ts_node_child_by_field_name(value, "arguments", 9);
  uint32_t count = ts_node_is_null(arguments) ? 0 : ts_node_named_child_count(arguments);
  if (count == 0) return TSNode{};
  TSNode callback = ts_node_named_child(arguments, count - 1);
  if (!is(callback, "arrow_function")) return TSNode{};
  TSNode body = ts_node_child_by_field_name(callback, "body", 4);
  if (ts_node_is_null(body) || !is(body, "statement_block")) return TSNode{};
  return body;
}

std::optional<Parts> parts_of(const BodyLayout& layout, bool wrapped) {
  if (layout.statements.size() < 2) return std::nullopt;
  Parts p;
  p.declaration = layout.statements[layout.statements.size() - 2];
  p.try_statement = layout.statements.back();
  if (!is(p.try_statement, "try_statement")) return std::nullopt;
  p.block = ts_node_child_by_field_name(p.try_statement, "body", 4);
  if (!ts_node_is_null(p.block) && wrapped) p.block = wrapped_block(p.block);
  if (ts_node_is_null(p.block)) return std::nullopt;
  p.declaration_start = ts_node_start_byte(p.declaration);
  p.declaration_end = ts_node_end_byte(p.declaration);
  p.block_open = ts_node_start_byte(p.block);
  p.block_close = ts_node_end_byte(p.block) - 1;
  p.try_end = ts_node_end_byte(p.try_statement);
  return p;
}

bool declaration_has_shape(std::string_view text, const TelemetryShapes& shapes) {
  return shapes.declaration.matches(text) || shapes.generator_declaration.matches(text);
}

// Exactly the bytes telinject inserted (the name may be stale: a moved file is still cleaned).
std::optional<std::vector<TextEdit>> exact_removal(std::string_view text, const FunctionInfo& f,
                                                   const BodyLayout& layout, const Parts& p,
                                                   const RenderedTelemetry& telemetry,
                                                   const TelemetryShapes& shapes) {
  const std::string marker = telemetry.tmpl.marker();
  if (text.substr(p.declaration_start, marker.size()) != marker) return std::nullopt;
  if (!declaration_has_shape(
          text.substr(p.declaration_start, p.declaration_end - p.declaration_start), shapes))
    return std::nullopt;
  if (text.substr(p.declaration_end, p.block_open + 1 - p.declaration_end) !=
      header_tail(telemetry.header))
    return std::nullopt;

  if (layout.expression || ts_node_is_null(layout.body)) return std::nullopt;
  const uint32_t body_start = ts_node_start_byte(layout.body);
  const uint32_t body_end = ts_node_end_byte(layout.body);
  const std::string mark_opening = "{" + std::string(kExpressionMark) + " ";
  if (is(f.node, "arrow_function") &&
      text.substr(body_start, mark_opening.size()) == mark_opening &&
      p.declaration_start == body_start + mark_opening.size()) {
    // {MARK HEADER return EXPR; FOOTER}
    TSNode block = p.block;
    TSNode inner = ts_node_named_child(block, 0);
    if (ts_node_named_child_count(block) != 1 || !is(inner, "return_statement") ||
        ts_node_named_child_count(inner) != 1)
      return std::nullopt;
    TSNode expression = ts_node_named_child(inner, 0);
    uint32_t expression_start = ts_node_start_byte(expression);
    uint32_t expression_end = ts_node_end_byte(expression);
    if (text.substr(p.block_open, expression_start - p.block_open) != "{ return ")
      return std::nullopt;
    if (text.substr(expression_end, body_end - expression_end) != "; " + telemetry.footer + "}")
      return std::nullopt;
    return std::vector<TextEdit>{{body_start, expression_start - body_start, ""},
                                 {expression_end, body_end - expression_end, ""}};
  }
  // Block form: ` HEADER` after '{', or `HEADER ` before the first wrapped statement; then
  // `FOOTER ` before the body's '}'.
  if (p.try_end + 1 != layout.close || text[p.try_end] != ' ' ||
      text.substr(p.block_close, p.try_end - p.block_close) != telemetry.footer)
    return std::nullopt;
  std::vector<TextEdit> edits;
  if (layout.kept_in_front == 0) {
    if (p.declaration_start != layout.open + 1 || text[layout.open] != ' ') return std::nullopt;
    edits.push_back({layout.open, p.block_open + 1 - layout.open, ""});
  } else {
    if (text.substr(p.block_open + 1, 1) != " ") return std::nullopt;
    edits.push_back({p.declaration_start, p.block_open + 2 - p.declaration_start, ""});
  }
  edits.push_back({p.block_close, p.try_end + 1 - p.block_close, ""});
  return edits;
}

bool blank(std::string_view text) {
  return text.find_first_not_of(" \t\r") == std::string_view::npos;
}

uint32_t line_start(std::string_view text, uint32_t offset) {
  size_t newline = text.rfind('\n', offset == 0 ? 0 : offset - 1);
  return offset == 0 || newline == std::string_view::npos ? 0 : static_cast<uint32_t>(newline + 1);
}

// After a formatter: the same tokens, wherever the line breaks went. The declaration and the
// try's head go with their lines when they have lines of their own, the catch/finally with the
// line break before them, so the body is left as it was (indented one level deeper, which the
// formatter undoes).
std::optional<std::vector<TextEdit>> shaped_removal(std::string_view text, const FunctionInfo& f,
                                                    const BodyLayout& layout, const Parts& p,
                                                    const TelemetryShapes& shapes) {
  if (!declaration_has_shape(
          text.substr(p.declaration_start, p.declaration_end - p.declaration_start), shapes))
    return std::nullopt;
  bool comment = false;
  // Between the declaration and the try block's '{': `try` alone, no comment to lose.
  std::string_view head = text.substr(p.declaration_end, p.block_open + 1 - p.declaration_end);
  shape_tokens(head, &comment);
  if (comment || !(shapes.head.matches(head) || shapes.generator_head.matches(head)))
    return std::nullopt;
  std::string_view footer = text.substr(p.block_close, p.try_end - p.block_close);
  if (!(shapes.footer.matches(footer) || shapes.generator_footer.matches(footer)))
    return std::nullopt;
  if (layout.statements.size() != layout.kept_in_front + 2) return std::nullopt;

  // An expression body, told by the mark in front of the declaration.
  const uint32_t body_start = ts_node_start_byte(layout.body);
  bool marked = false;
  uint32_t count = ts_node_named_child_count(layout.body);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode child = ts_node_named_child(layout.body, i);
    if (ts_node_start_byte(child) >= p.declaration_start) break;
    marked = marked ||
             (is(child, "comment") &&
              text.substr(ts_node_start_byte(child),
                          ts_node_end_byte(child) - ts_node_start_byte(child)) == kExpressionMark);
  }
  if (marked && is(f.node, "arrow_function")) {
    TSNode block = p.block;
    TSNode inner = ts_node_named_child(block, 0);
    if (ts_node_named_child_count(block) != 1 || !is(inner, "return_statement") ||
        ts_node_named_child_count(inner) != 1)
      return std::nullopt;
    // Everything between '{' and the declaration other than the mark would be lost.
    std::vector<std::string> before =
        shape_tokens(text.substr(body_start, p.declaration_start - body_start));
    if (before != std::vector<std::string>{"{"}) return std::nullopt;
    TSNode expression = ts_node_named_child(inner, 0);
    uint32_t expression_start = ts_node_start_byte(expression);
    uint32_t expression_end = ts_node_end_byte(expression);
    const uint32_t body_end = ts_node_end_byte(layout.body);
    if (!shape_tokens(text.substr(expression_end, p.block_close - expression_end)).empty())
      return std::nullopt;
    // A formatter drops the parentheses `x => ({...})` and `x => (a, b)` need as bodies.
    bool parenthesize = is(expression, "object") || is(expression, "sequence_expression");
    return std::vector<TextEdit>{
        {body_start, expression_start - body_start, parenthesize ? "(" : ""},
        {expression_end, body_end - expression_end, parenthesize ? ")" : ""}};
  }

  std::vector<TextEdit> edits;
  uint32_t start = p.declaration_start;
  uint32_t end = p.block_open + 1;
  uint32_t own_line = line_start(text, start);
  if (blank(text.substr(own_line, start - own_line))) {
    start = own_line;
    size_t newline = text.find('\n', end);
    if (newline != std::string_view::npos && blank(text.substr(end, newline - end)))
      end = static_cast<uint32_t>(newline + 1);
  }
  edits.push_back({start, end - start, ""});
  uint32_t close = p.block_close;
  uint32_t close_line = line_start(text, close);
  if (close_line > 0 && blank(text.substr(close_line, close - close_line))) close = close_line - 1;
  edits.push_back({close, p.try_end - close, ""});
  return edits;
}

bool is_template_import(std::string_view statement, const std::vector<LanguageTemplate>& known) {
  return std::any_of(known.begin(), known.end(), [&](const LanguageTemplate& t) {
    TelemetryShapes shapes(t);
    return shapes.import_statement.matches(statement) ||
           shapes.require_statement.matches(statement);
  });
}

}  // namespace

std::optional<std::vector<TextEdit>> telemetry_removal(const SourceText& source,
                                                       const FunctionInfo& function,
                                                       const BodyLayout& layout,
                                                       const RenderedTelemetry& telemetry) {
  std::optional<Parts> parts = parts_of(layout, header_tail(telemetry.header) != " try {");
  if (!parts) return std::nullopt;
  TelemetryShapes shapes(telemetry.tmpl);
  std::string_view text = source.text();
  if (auto exact = exact_removal(text, function, layout, *parts, telemetry, shapes)) return exact;
  return shaped_removal(text, function, layout, *parts, shapes);
}

TSNode find_template_import(const SourceText& source, TSNode root,
                            const std::vector<LanguageTemplate>& known) {
  uint32_t count = ts_node_named_child_count(root);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode child = ts_node_named_child(root, i);
    if (!is(child, "import_statement") && !is(child, "lexical_declaration")) continue;
    if (is_template_import(node_text(source, child), known)) return child;
  }
  return TSNode{};
}

std::vector<TextEdit> import_removal(const SourceText& source, TSNode root,
                                     const std::vector<LanguageTemplate>& known) {
  TSNode statement = find_template_import(source, root, known);
  if (ts_node_is_null(statement)) return {};
  std::string_view text = source.text();
  uint32_t start = ts_node_start_byte(statement);
  uint32_t end = ts_node_end_byte(statement);
  // A line of its own (a formatter's doing, or an older telinject's, with its `// telinject`):
  // the whole line goes.
  uint32_t own_line = line_start(text, start);
  size_t newline = text.find('\n', end);
  uint32_t line_end = newline == std::string_view::npos ? static_cast<uint32_t>(text.size())
                                                        : static_cast<uint32_t>(newline + 1);
  std::string_view rest = text.substr(end, line_end - end);
  size_t trailing = rest.find_first_not_of(" \t\r\n");
  bool rest_is_ours =
      trailing == std::string_view::npos || rest.substr(trailing, 12) == "// telinject";
  if (blank(text.substr(own_line, start - own_line)) && rest_is_ours &&
      (trailing == std::string_view::npos || blank(rest.substr(trailing + 12))))
    return {{own_line, line_end - own_line, ""}};
  // In front of the first statement on its line, as inserted: the statement and one space.
  if (end < text.size() && text[end] == ' ') ++end;
  return {{start, end - start, ""}};
}

}  // namespace telinject::javascript
