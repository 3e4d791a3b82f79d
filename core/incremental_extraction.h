// Incremental extraction: an editor's buffer after an edit gets its functions from the previous
// extraction, re-extracting only the top-level statements the edit touched.
#pragma once

#include <tree_sitter/api.h>

#include <memory>
#include <string>
#include <vector>

#include "pipeline.h"

namespace telinject {

/// The extraction of `text`, equal to extract_text(text, previous's location, language and
/// config, &tree), made from `previous` (the extraction of the text before the edit, with the
/// same location, language and config). `tree` is the parse of `text` re-parsed from
/// `previous`'s tree after `edits` (as ts_tree_edit takes them); `changed` are the ranges whose
/// syntax changed (SyntaxTree::reparse). Only the top-level statements that the edits or
/// `changed` touch are extracted again (LanguageSupport::extract_top_level); every other
/// function is `previous`'s, moved to its new place and checked against the new tree. Falls
/// back to a whole extraction when the language cannot extract part of a file, when
/// `previous` failed, or when anything does not line up. Reads `previous`'s tree through a
/// copy and the positions of its nodes: callable while other threads read `previous`.
/// `reused`, when given, is set to whether `previous` was used (false: a whole extraction).
std::shared_ptr<const ExtractedText> extract_text_after_edits(const ExtractedText& previous,
                                                              const std::string& text,
                                                              const SyntaxTree& tree,
                                                              const std::vector<TSInputEdit>& edits,
                                                              const std::vector<TSRange>& changed,
                                                              bool* reused = nullptr);

/// The functions of an extraction (none when it failed), for tests comparing two of them.
const std::vector<FunctionInfo>* extracted_functions(const ExtractedText& extracted);

}  // namespace telinject
