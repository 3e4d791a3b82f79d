#include "features/code_actions.h"

#include "features/functions.h"
#include "features/llm_documents.h"

namespace telinject::server {
namespace {

bool wanted_kind(const lsp::CodeActionParams& params, const std::string& kind) {
  const auto& only = params.context.only;
  if (!only || only->empty()) return true;
  for (const std::string& prefix : *only)
    if (kind == prefix || kind.rfind(prefix + ".", 0) == 0) return true;
  return false;
}

OfferedAction make_action(const DocumentSnapshot& document, std::string title, std::string kind,
                          lsp::CodeActionData::Verb verb, const std::string* function) {
  OfferedAction offered;
  offered.action.title = std::move(title);
  offered.action.kind = std::move(kind);
  offered.data = {document.uri, document.version, verb, std::nullopt};
  if (function) offered.data.function = *function;
  offered.action.data = nlohmann::json(offered.data);
  return offered;
}

using Verb = lsp::CodeActionData::Verb;

bool overlaps(const lsp::Range& a, const lsp::Range& b) {
  return !(a.end < b.start || b.end < a.start);
}

}  // namespace

std::vector<OfferedAction> code_actions(const DocumentSnapshot& document,
                                        const lsp::CodeActionParams& params,
                                        const ServerSettings& settings,
                                        protocol::PositionEncoding encoding) {
  std::vector<OfferedAction> actions;
  if (!document.language && !llm_language_of(document)) return actions;  // LLM
  std::vector<FunctionOutcome> functions = document_functions(document, settings);
  // The innermost function whose lines hold the cursor (or range), and the diagnostics on it.
  const FunctionOutcome* at = nullptr;
  for (const FunctionOutcome& f : functions) {
    int first = static_cast<int>(f.line) - 1, last = static_cast<int>(f.end_line) - 1;
    if (params.range.start.line >= first && params.range.start.line <= last) at = &f;
  }
  bool any_uninstrumented = false, any_instrumented = false;
  for (const FunctionOutcome& f : functions) {
    any_uninstrumented |= f.state == FunctionOutcome::State::kUninstrumented;
    any_instrumented |= f.state == FunctionOutcome::State::kAlreadyInstrumented;
  }
  if (at && at->state == FunctionOutcome::State::kUninstrumented &&
      wanted_kind(params, "quickfix")) {
    OfferedAction a = make_action(document, "Instrument function `" + at->qualified_name + "`",
                                  "quickfix", Verb::kInstrument, &at->qualified_name);
    lsp::Range name = name_range(document, *at, encoding);
    std::vector<lsp::Diagnostic> fixes;
    for (const lsp::Diagnostic& d : params.context.diagnostics)
      if (d.source == "telinject" && overlaps(d.range, name)) fixes.push_back(d);
    if (!fixes.empty()) a.action.diagnostics = std::move(fixes);
    a.action.is_preferred = true;
    actions.push_back(std::move(a));
  }
  if (at && at->state == FunctionOutcome::State::kAlreadyInstrumented &&
      wanted_kind(params, "refactor.rewrite"))
    actions.push_back(make_action(document,
                                  "Remove telemetry from function `" + at->qualified_name + "`",
                                  "refactor.rewrite", Verb::kRemove, &at->qualified_name));
  if (any_uninstrumented && wanted_kind(params, kInstrumentFileKind))
    actions.push_back(make_action(document, "Instrument all functions in file", kInstrumentFileKind,
                                  Verb::kInstrument, nullptr));
  if (any_instrumented && wanted_kind(params, kRemoveFileKind))
    actions.push_back(make_action(document, "Remove telemetry from file", kRemoveFileKind,
                                  Verb::kRemove, nullptr));
  return actions;
}

Result<lsp::CodeAction> resolve_code_action(lsp::CodeAction action, const lsp::CodeActionData& data,
                                            const DocumentSnapshot& document,
                                            const ServerSettings& settings, ScriptCache* cache,
                                            const EditSupport& support,
                                            protocol::PositionEncoding encoding) {
  if (data.uri != document.uri) return make_error("the action is about another document");
  if (data.version != document.version)
    return make_error("the document changed since the action was offered");
  Action what = data.action == Verb::kInstrument ? Action::kInstrument : Action::kRemove;
  std::vector<std::string> only;
  if (data.function) only.push_back(*data.function);
  TextResult result =
      transform_document(document, what, only.empty() ? nullptr : &only, settings, cache);
  if (result.outcome.status == FileOutcome::Status::kError)
    return make_error(result.outcome.message);
  for (const FunctionOutcome& f : result.outcome.functions)
    if (f.state == FunctionOutcome::State::kError)
      return make_error(f.qualified_name + ": " + f.reason);
  action.edit = workspace_edit(document, result.output, what, settings, support, encoding);
  // A client that cannot create files gets the helper written by a command run after the edit.
  if (what == Action::kInstrument && result.output != document.text &&
      !(support.document_changes && support.create_files) &&
      !missing_helpers(document, settings).empty())
    action.command = lsp::Command{"Create telinject's helper module", kWriteRuntimeCommand,
                                  std::vector<nlohmann::json>{document.uri}};
  return action;
}

}  // namespace telinject::server
