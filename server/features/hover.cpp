#include "features/hover.h"

#include "features/edits.h"
#include "features/functions.h"

namespace telinject::server {
namespace {

// Rows [first_line, last_line] (1-based) of `text`.
std::string lines_of(const std::string& text, uint32_t first_line, uint32_t last_line) {
  protocol::LineIndex lines(text);
  size_t begin = lines.line_start(first_line - 1);
  size_t end = lines.line_end(last_line - 1);
  return text.substr(begin, end - begin);
}

const FunctionOutcome* find(const std::vector<FunctionOutcome>& functions,
                            const std::string& name) {
  for (const FunctionOutcome& f : functions)
    if (f.qualified_name == name) return &f;
  return nullptr;
}

// Rows (1-based, inclusive) of the function at [first_line, last_line] of `before` in `after`,
// which differs from `before` by insertions only: text above the function (the import) and
// inside it. Found without parsing: the function's first row, shifted down by what was
// inserted above it, and its last row, which ends as it did. Nothing when that does not hold.
std::optional<std::pair<uint32_t, uint32_t>> locate(const std::string& before,
                                                    const std::string& after, uint32_t first_line,
                                                    uint32_t last_line) {
  protocol::LineIndex old_lines(before), new_lines(after);
  auto row = [](const std::string& text, const protocol::LineIndex& lines, size_t index) {
    std::string_view r(text);
    r = r.substr(lines.line_start(index), lines.line_end(index) - lines.line_start(index));
    if (!r.empty() && r.back() == '\r') r.remove_suffix(1);
    return r;
  };
  size_t old_count = old_lines.line_count(), new_count = new_lines.line_count();
  if (last_line > old_count || new_count < old_count) return std::nullopt;
  std::string_view first = row(before, old_lines, first_line - 1);
  std::string_view last = row(before, old_lines, last_line - 1);
  size_t added = new_count - old_count;
  for (size_t shift = 0; shift <= added; ++shift) {
    if (row(after, new_lines, first_line - 1 + shift) != first) continue;
    // Everything else that was added went inside the function.
    size_t end = last_line - 1 + added;
    std::string_view tail = row(after, new_lines, end);
    if (tail.size() >= last.size() && tail.substr(tail.size() - last.size()) == last)
      return std::pair<uint32_t, uint32_t>(first_line + shift, static_cast<uint32_t>(end + 1));
  }
  return std::nullopt;
}

}  // namespace

std::optional<lsp::Hover> hover(const DocumentSnapshot& document, const lsp::Position& position,
                                const ServerSettings& settings, ScriptCache* cache,
                                protocol::PositionEncoding encoding) {
  if (!document.language) return std::nullopt;
  std::vector<FunctionOutcome> functions = document_functions(document, settings);
  const FunctionOutcome* target = nullptr;
  lsp::Range range;
  for (const FunctionOutcome& f : functions) {
    lsp::Range r = name_range(document, f, encoding);
    if (!(position < r.start) && !(r.end < position)) target = &f, range = r;
  }
  if (!target) return std::nullopt;

  std::string heading, code;
  if (target->state == FunctionOutcome::State::kAlreadyInstrumented) {
    heading = "instrumented";
    code = lines_of(document.text, target->line, target->end_line);
  } else if (target->state == FunctionOutcome::State::kUninstrumented) {
    std::vector<std::string> only = {target->qualified_name};
    TextResult result = transform_document(document, Action::kInstrument, &only, settings, cache);
    if (result.outcome.instrumented == 0) {
      heading = "cannot be instrumented";
      for (const FunctionOutcome& f : result.outcome.functions)
        if (f.qualified_name == target->qualified_name && !f.reason.empty())
          heading += ": " + f.reason;
    } else {
      heading = std::string("preview, script ") +
                (result.outcome.cache_hits > 0 ? "from the cache" : "generated from the template");
      // Find the function again in the instrumented text (the import moved it down a line).
      if (auto rows = locate(document.text, result.output, target->line, target->end_line)) {
        code = lines_of(result.output, rows->first, rows->second);
      } else {
        TextResult after = process_text(result.output, document.location(), *document.language,
                                        Action::kCheck, settings.config, nullptr, nullptr);
        if (const FunctionOutcome* again = find(after.outcome.functions, target->qualified_name))
          code = lines_of(result.output, again->line, again->end_line);
      }
    }
  } else {
    heading = target->state == FunctionOutcome::State::kOptedOut
                  ? "opted out (telinject: ignore)"
                  : "skipped" + (target->reason.empty() ? "" : ": " + target->reason);
  }
  std::string markdown = "**telinject** `" + target->qualified_name + "`: " + heading +
                         "  \nprofile `" + settings.config.profile + "`";
  if (!code.empty())
    markdown += "\n\n```" + std::string(document.language->name()) + "\n" + code + "\n```";
  lsp::Hover h;
  h.contents.value = std::move(markdown);
  h.range = range;
  return h;
}

}  // namespace telinject::server
