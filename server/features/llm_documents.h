// Documents of languages telinject has no grammar for (Kotlin, C#: llm_language.h):
// their functions come from the LLM (ServerSettings::llm, when `llm.enabled`), memoised per
// text, and they are instrumented with core's process_llm_text. Diagnostics, code actions and
// on-save reach them through document_functions and transform_document.
#pragma once

#include <string>
#include <vector>

#include "document.h"
#include "llm_language.h"
#include "pipeline.h"

namespace telinject {
class ScriptCache;
}

namespace telinject::server {

/// The document's LLM language by its extension when no grammar language took it, else null.
const LlmLanguage* llm_language_of(const DocumentSnapshot& document);

/// The functions of a document of an LLM language as the LLM lists them (the check action of
/// process_llm_text), with the column of each name; none when the LLM is off or the document is
/// not of an LLM language. A spent budget gives one "(file)" entry in state "not_done".
/// Thread-safe; calls the LLM only for a text it has not listed yet.
std::vector<FunctionOutcome> llm_document_functions(const DocumentSnapshot& document,
                                                    const ServerSettings& settings);

/// transform_document for a document of an LLM language: remove needs no LLM; instrument
/// needs the LLM's list (an error saying so when the LLM is off or its budget is spent).
TextResult transform_llm_document(const DocumentSnapshot& document, Action action,
                                  const std::vector<std::string>* only,
                                  const ServerSettings& settings, ScriptCache* cache);

}  // namespace telinject::server
