#include "features/diagnostics.h"

#include "features/functions.h"

namespace telinject::server {

std::vector<lsp::Diagnostic> compute_diagnostics(const DocumentSnapshot& document,
                                                 const ServerSettings& settings,
                                                 protocol::PositionEncoding encoding) {
  std::vector<lsp::Diagnostic> diagnostics;
  if (!settings.diagnostics) return diagnostics;
  for (const FunctionOutcome& f : document_functions(document, settings)) {
    if (f.state != FunctionOutcome::State::kUninstrumented) continue;
    lsp::Diagnostic d;
    d.range = name_range(document, f, encoding);
    d.severity = static_cast<lsp::DiagnosticSeverity>(settings.severity);
    d.code = "uninstrumented";
    d.source = "telinject";
    d.message = "`" + f.qualified_name + "` has no telemetry";
    d.data =
        nlohmann::json{{"function", f.qualified_name}, {"fix", "telinject.instrumentFunction"}};
    diagnostics.push_back(std::move(d));
  }
  return diagnostics;
}

}  // namespace telinject::server
