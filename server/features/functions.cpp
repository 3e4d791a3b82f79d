#include "features/functions.h"

#include <cctype>

#include "features/llm_documents.h"

namespace telinject::server {

std::vector<FunctionOutcome> document_functions(const DocumentSnapshot& document,
                                                const ServerSettings& settings) {
  if (!document.language) return llm_document_functions(document, settings);  // LLM
  // The analysis fills the memo under its lock before it publishes the tree: wait for the
  // tree first, never while holding the lock the analysis needs.
  (void)document.tree();
  DocumentSnapshot::FunctionsMemo& memo = *document.memo;
  std::lock_guard lock(memo.mutex);
  fill_functions_memo(memo, document, settings);
  return memo.functions;
}

std::shared_ptr<const ExtractedText> document_extraction(const DocumentSnapshot& document,
                                                         const ServerSettings& settings) {
  if (!document.language) return nullptr;
  // The analysis fills the memo under its lock before it publishes the tree: wait for the
  // tree first, never while holding the lock the analysis needs.
  (void)document.tree();
  DocumentSnapshot::FunctionsMemo& memo = *document.memo;
  std::lock_guard lock(memo.mutex);
  fill_functions_memo(memo, document, settings);
  return memo.extracted;
}

lsp::Range name_range(const DocumentSnapshot& document, const FunctionOutcome& function,
                      protocol::PositionEncoding encoding) {
  // Core counts rows by "\n" and columns in bytes of the text without its byte order mark.
  size_t row = function.line - 1;
  size_t bom = row == 0 && document.text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  size_t start = document.lines.line_start(row) + function.column + bom;
  // The name's last part ("m" of "pkg.C.m", "ns::A::f", "Cart#add") when the text there spells
  // it, else the word there ("Outer" for Java's "<init>", C++'s "{lambda#1}" has none: one unit).
  std::string_view name = function.qualified_name;
  name = name.substr(name.find_last_of(".:#") + 1);  // npos + 1 == 0: the whole name
  std::string_view text = document.text;
  size_t length = 0;
  if (start < text.size() && text.compare(start, name.size(), name) == 0) {
    length = name.size();
  } else {
    auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
    while (start + length < text.size() && word(text[start + length])) ++length;
    if (length == 0 && start < text.size()) length = 1;
  }
  return {document.lines.position(start, encoding),
          document.lines.position(start + length, encoding)};
}

}  // namespace telinject::server
