// Runtime helpers in a batch run: where each goes, what may stand in its way, when `remove`
// may delete it. Used by run_pipeline only (pipeline.cpp).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline.h"
#include "scanner.h"

namespace telinject {

/// True when `a` and `b` have the same first line (every version of a helper starts alike).
bool same_first_line(std::string_view a, std::string_view b);

/// Where a helper at `relative` (below the file's root) goes: in a mirror tree, a helper placed
/// above the root lands at the mirror's top.
std::filesystem::path helper_target(const RunOptions& options, const std::filesystem::path& root,
                                    const std::filesystem::path& relative);

/// The first symbolic link among root/a, root/a/b, … for `relative` = a/b/…, or nothing.
std::optional<std::filesystem::path> link_below(const std::filesystem::path& root,
                                                const std::filesystem::path& relative);

/// What is at `target` that the helper `content` cannot replace ("a file that …"), or nothing.
std::optional<std::string> helper_conflict(const std::filesystem::path& target,
                                           std::string_view content);

/// True when the run leaves `target` to someone else (RunOptions::leave_alone: a file open in
/// the editor, whose buffer may hold the helper before it reaches the disk): neither checked
/// nor written nor deleted.
bool left_to_editor(const RunOptions& options, const std::filesystem::path& target);

/// What a run's files need of the runtime helpers, gathered file by file as they are done.
struct RuntimeNeeds {
  /// Each helper some processed file imports (instrument: files carrying telemetry; remove:
  /// every file of a language with a helper): target -> content.
  std::map<std::filesystem::path, std::string_view> helpers;
  std::set<std::filesystem::path> roots;  // the processed files' roots
  bool file_error = false;                // some file could not be processed
};

/// True when `remove` may delete the helper at `target` (see runtime_helpers.cpp).
bool helper_no_longer_needed(const RunOptions& options, const RuntimeNeeds& needs,
                             const std::filesystem::path& target);

/// Writes (instrument) or deletes (remove) the runtime helpers the files need.
void handle_runtime_files(const RunOptions& options, const RuntimeNeeds& needs, RunReport& report);

}  // namespace telinject
