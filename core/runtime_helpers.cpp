// The runtime helpers a batch run writes and deletes, and the checks around them (pipeline.cpp).
#include "runtime_helpers.h"

#include <map>

#include "atomic_file.h"

namespace telinject {

namespace fs = std::filesystem;

bool same_first_line(std::string_view a, std::string_view b) {
  return a.substr(0, a.find('\n')) == b.substr(0, b.find('\n'));
}

// Where a helper at `relative` (below the file's root) goes: in a mirror tree, a helper placed
// above the root (the run was given a folder inside a package) lands at the mirror's top.
fs::path helper_target(const RunOptions& options, const fs::path& root, const fs::path& relative) {
  if (!options.output_dir) return (root / relative).lexically_normal();
  fs::path inside = relative.lexically_normal();
  if (!inside.empty() && *inside.begin() == "..") inside = inside.filename();
  return *options.output_dir / inside;
}

// The first symbolic link among root/a, root/a/b, … for `relative` = a/b/…, or nothing.
std::optional<fs::path> link_below(const fs::path& root, const fs::path& relative) {
  std::error_code ec;
  fs::path folder = root;
  for (const fs::path& part : relative) {
    folder /= part;
    if (fs::is_symlink(fs::symlink_status(folder, ec))) return folder;
  }
  return std::nullopt;
}

// What is at `target` that telinject's helper `content` cannot replace ("a file that …"), or
// nothing when it can (absent, a version of telinject's own helper: every version starts with
// the same line, or a link to exactly this helper).
std::optional<std::string> helper_conflict(const fs::path& target, std::string_view content) {
  std::error_code ec;
  fs::file_status status = fs::symlink_status(target, ec);
  if (!fs::exists(status)) return std::nullopt;
  auto existing = read_file(target);
  if (fs::is_symlink(status)) {
    if (existing.ok() && *existing == content) return std::nullopt;  // nothing to write
    return "a symbolic link, which telinject never replaces";
  }
  if (existing.ok() && same_first_line(*existing, content)) return std::nullopt;
  return "a file that is not telinject's helper";
}

bool left_to_editor(const RunOptions& options, const fs::path& target) {
  return options.leave_alone && options.leave_alone(target);
}

// True when `remove` may delete the helper at `target`: the run was given a folder holding the
// helper's whole folder (every file that may import it was scanned; a run on one file of a
// package must not take the helper from under the others) and no file kept telemetry.
bool helper_no_longer_needed(const RunOptions& options, const RuntimeNeeds& needs,
                             const fs::path& target) {
  if (options.shard) return false;  // the other shards' files may still import it
  std::error_code ec;
  const fs::path scope = fs::absolute(target, ec).lexically_normal().parent_path();
  auto contains = [](const fs::path& outer, const fs::path& inner) {
    auto rel = inner.lexically_relative(outer);
    return !rel.empty() && *rel.begin() != "..";
  };
  bool scanned_whole = false;
  for (const fs::path& given : options.paths)
    if (fs::is_directory(given, ec) && contains(fs::absolute(given, ec).lexically_normal(), scope))
      scanned_whole = true;
  if (!scanned_whole) return false;
  // A file left as it was (an error) may still import it; which helper a file imports depends
  // on the language (Go's serves the whole module), so any error keeps every helper.
  return !needs.file_error;
}

// Writes (instrument) or deletes (remove) the runtime helpers the run's files need.
void handle_runtime_files(const RunOptions& options, const RuntimeNeeds& needs, RunReport& report) {
  if (options.dry_run || options.action == Action::kCheck) return;
  for (const auto& [target, content] : needs.helpers) {
    if (left_to_editor(options, target)) continue;
    std::error_code ec;
    auto existing = read_file(target);
    if (options.action == Action::kInstrument) {
      if (existing.ok() && *existing == content) continue;
      if (auto conflict = helper_conflict(target, content)) {
        report.errors.push_back(
            {target.string(), "this is " + *conflict +
                                  "; left as it is (rename or remove it "
                                  "so instrumented code can import the helper)"});
        continue;
      }
      if (options.output_dir) {
        fs::path inside = target.lexically_relative(*options.output_dir).parent_path();
        if (auto link = link_below(*options.output_dir, inside)) {
          report.errors.push_back(
              {target.string(), link->string() +
                                    ": a symbolic link inside the output folder; telinject does "
                                    "not write through it"});
          continue;
        }
      }
      std::error_code made;
      fs::create_directories(target.parent_path(), made);
      auto written = write_file_atomically(target, content);
      if (written.ok())
        report.runtime_files_written.push_back(target.string());
      else
        report.errors.push_back({target.string(), written.error()});
    } else if (existing.ok() && *existing == content &&
               !fs::is_symlink(fs::symlink_status(target, ec)) &&
               helper_no_longer_needed(options, needs, target)) {
      // Only our own, unmodified helper goes, and only when no file left outside the run may
      // import it (an earlier run on one file of the package left it); a link is the user's (it
      // may be the only name of a shared copy).
      fs::remove(target, ec);
      // A helper in a folder of its own (Go's package) takes the folder when nothing else is
      // left in it; fs::remove leaves a folder that is not empty.
      if (!ec && target.parent_path() != target.parent_path().root_path() &&
          fs::is_empty(target.parent_path(), ec) && !ec) {
        bool is_root =
            options.output_dir && fs::equivalent(*options.output_dir, target.parent_path(), ec);
        for (const fs::path& root : needs.roots)
          is_root = is_root || fs::equivalent(root, target.parent_path(), ec);
        if (!is_root) fs::remove(target.parent_path(), ec);
      }
    }
  }
}

}  // namespace telinject
