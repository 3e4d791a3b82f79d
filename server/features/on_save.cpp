#include "features/on_save.h"

#include "features/edits.h"

namespace telinject::server {

SaveEdits edits_on_save(const DocumentSnapshot& document, const ServerSettings& settings,
                        ScriptCache* cache, protocol::PositionEncoding encoding) {
  SaveEdits save;
  if (!changes_on_save(document, settings)) return save;
  TextResult result = transform_document(document, Action::kInstrument, nullptr, settings, cache);
  if (result.output == document.text) return save;
  save.edits = minimal_edits(document, result.output, encoding);
  auto written = write_missing_helpers(document, settings);
  if (!written.ok()) save.helper_problem = written.error();
  return save;
}

}  // namespace telinject::server
