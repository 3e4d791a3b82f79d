#include "features/hover.h"

#include "features/diagnostics.h"
#include "features/edits.h"

namespace telinject::server {
namespace {

// Rows [first_line, last_line] (1-based) of `text`.
std::string lines_of(const std::string& text, uint32_t first_line, uint32_t last_line) {
  protocol::LineIndex lines(text);
  size_t begin = lines.line_start(first_line - 1);
  size_t end = lines.line_end(last_line - 1);
  return text.substr(begin, end - begin);
}

const FunctionOutcome* find(const std::vector<FunctionOutcome>& functions, const std::string& name) {
  for (const FunctionOutcome& f : functions)
    if (f.qualified_name == name) return &f;
  return nullptr;
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
  if (target->state == "already_instrumented") {
    heading = "instrumented";
    code = lines_of(document.text, target->line, target->end_line);
  } else if (target->state == "uninstrumented") {
    std::vector<std::string> only = {target->qualified_name};
    TextResult result = transform_document(document, Action::kInstrument, &only, settings, cache);
    if (result.outcome.instrumented == 0) {
      heading = "cannot be instrumented";
      for (const FunctionOutcome& f : result.outcome.functions)
        if (f.qualified_name == target->qualified_name && !f.reason.empty()) heading += ": " + f.reason;
    } else {
      // Find the function again in the instrumented text (the import moved it down a line).
      TextResult after = process_text(result.output, document.location(), *document.language,
                                      Action::kCheck, settings.config, nullptr, nullptr);
      const FunctionOutcome* again = find(after.outcome.functions, target->qualified_name);
      heading = std::string("preview, script ") +
                (result.outcome.cache_hits > 0 ? "from the cache" : "generated from the template");
      if (again) code = lines_of(result.output, again->line, again->end_line);
    }
  } else {
    heading = target->state == "opted_out" ? "opted out (telinject: ignore)"
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
