#include "features/llm_documents.h"

#include "llm_service.h"
#include "source_text.h"

namespace telinject::server {
namespace {

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '?' || c == '!' ||
         c == '$';
}

// The byte column of `name` as a whole word in `row`, or 0.
uint32_t name_column(std::string_view row, std::string_view name) {
  for (size_t at = row.find(name); at != std::string_view::npos; at = row.find(name, at + 1)) {
    bool left = at == 0 || !is_name_char(row[at - 1]);
    bool right = at + name.size() >= row.size() || !is_name_char(row[at + name.size()]);
    if (left && right) return static_cast<uint32_t>(at);
  }
  return 0;
}

TextResult process(const DocumentSnapshot& document, const LlmLanguage& language, Action action,
                   const std::vector<std::string>* only, const ServerSettings& settings,
                   ScriptCache* cache) {
  FunctionAnalyzer* analyzer = settings.llm.get();
  return process_llm_text(document.text, document.location(), language, action, cache, analyzer,
                          nullptr, only);
}

}  // namespace

const LlmLanguage* llm_language_of(const DocumentSnapshot& document) {
  return document.language ? nullptr : llm_language_for(document.path);
}

std::vector<FunctionOutcome> llm_document_functions(const DocumentSnapshot& document,
                                                    const ServerSettings& settings) {
  const LlmLanguage* language = llm_language_of(document);
  if (!language || !settings.llm) return {};
  // Reads the cache, never writes it: listing is not instrumenting.
  TextResult listed = process(document, *language, Action::kCheck, nullptr, settings, nullptr);
  SourceText source(document.text);
  for (FunctionOutcome& f : listed.outcome.functions) {
    if (f.line == 0 || f.line > source.row_count()) continue;
    std::string_view name = f.qualified_name;
    size_t cut = name.find_last_of(".#:");
    if (cut != std::string_view::npos) name = name.substr(cut + 1);
    f.column = name_column(source.row_text(f.line - 1), name);
  }
  return listed.outcome.functions;
}

TextResult transform_llm_document(const DocumentSnapshot& document, Action action,
                                  const std::vector<std::string>* only,
                                  const ServerSettings& settings, ScriptCache* cache) {
  const LlmLanguage* language = llm_language_of(document);
  TextResult result;
  result.output = document.text;
  if (!language) {
    result.outcome.status = FileOutcome::Status::kSkipped;
    result.outcome.message = "no telinject support for this language";
    return result;
  }
  if (action == Action::kInstrument && !settings.llm) {
    result.outcome.status = FileOutcome::Status::kError;
    result.outcome.message = language->name +
                             ": telinject has no grammar for it; the LLM lists its functions "
                             "when the setting llm.enabled is true (and a key is in the "
                             "environment or the workspace's .env)";
    return result;
  }
  result = process(document, *language, action, only, settings, cache);
  for (const FunctionOutcome& f : result.outcome.functions)
    if (f.state == FunctionOutcome::State::kNotDone) {
      // The budget stopped the listing: say so on the action rather than doing nothing.
      result.output = document.text;
      result.outcome.status = FileOutcome::Status::kError;
      result.outcome.message = f.reason;
    }
  return result;
}

}  // namespace telinject::server
