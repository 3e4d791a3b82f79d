// LanguageSupport: everything the pipeline knows about one language lives behind this interface,
// implemented once per folder under core/languages/. The pipeline never tests which language it
// holds.
#pragma once

#include <tree_sitter/api.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "insertion_script.h"
#include "result.h"
#include "source_text.h"
#include "telemetry_template.h"

namespace telinject {

enum class FunctionState {
  kUninstrumented,  // can be instrumented
  kInstrumented,    // carries telemetry already
  kOptedOut,        // `telinject: ignore` comment
  kSkipped,         // cannot or should not be instrumented; see `reason`
};

const char* to_string(FunctionState state);

/// One function found in a file. Offsets are bytes into SourceText::text().
struct FunctionInfo {
  std::string name;            // as written: "wrap"
  std::string qualified_name;  // "textwrap.TextWrapper.wrap"
  std::string kind;            // "function", "generator", "async_function", "async_generator"
  uint32_t start_byte = 0;     // first byte of the definition, decorators included
  uint32_t end_byte = 0;
  uint32_t start_row = 0;  // 0-based rows of start_byte and end_byte
  uint32_t end_row = 0;
  uint32_t name_row = 0;  // where the name is written (diagnostics, hover)
  uint32_t name_column = 0;
  FunctionState state = FunctionState::kUninstrumented;
  std::string reason;   // for kOptedOut and kSkipped
  std::string profile;  // for kInstrumented: the profile whose marker was found
  int parent = -1;      // index of the innermost enclosing function, -1 at top level
  TSNode node{};        // the definition node; valid while its tree lives
  /// Rows (absolute) inside this function whose start lies inside a multi-line literal: text
  /// may never be inserted at their start.
  std::vector<uint32_t> verbatim_rows;
};

class DiskMemo;

/// Where a file sits: the root telinject was given (the scanned directory, the editor's
/// workspace folder) and the file's path below it. `root` is empty when unknown (text from a
/// test or stdin): languages then take the file to sit at the root and look nothing up on disk.
struct FileLocation {
  FileLocation() = default;
  FileLocation(const char* relative_path) : relative(relative_path) {}
  FileLocation(std::filesystem::path relative_path) : relative(std::move(relative_path)) {}
  FileLocation(std::filesystem::path root_dir, std::filesystem::path relative_path,
               DiskMemo* run_memo = nullptr)
      : root(std::move(root_dir)), relative(std::move(relative_path)), memo(run_memo) {}
  std::filesystem::path root;
  std::filesystem::path relative;
  /// Where languages remember what they looked up on disk around the file for the run
  /// (disk_memo.h); null: they look it up on every call.
  DiskMemo* memo = nullptr;
};

/// A parsed file as languages see it.
struct ParsedSource {
  const SourceText& source;
  TSNode root;
  std::string module_name;  // LanguageSupport::module_name of `location`
  FileLocation location{};  // for imports that depend on where the file is (JS, Go)
};

/// A helper file a profile writes into the instrumented tree.
struct RuntimeFile {
  std::filesystem::path relative_path;  // below FileLocation::root
  std::string_view content;
};

class LanguageSupport {
 public:
  virtual ~LanguageSupport() = default;

  /// Lower-case identifier: "python". Used in cache paths and reports.
  virtual std::string_view name() const = 0;
  /// File name endings with the dot: ".py".
  virtual const std::vector<std::string>& extensions() const = 0;
  /// True when a "#!" line naming `interpreter` (basename, e.g. "python3") means this language.
  virtual bool accepts_interpreter(std::string_view interpreter) const = 0;
  virtual const TSLanguage* grammar() const = 0;
  /// The profiles shipped with telinject, "builtin" first.
  virtual const std::vector<LanguageTemplate>& builtin_templates() const = 0;

  /// The name qualified names start with, for the file at `file` ("pkg/mod.py" -> "pkg.mod").
  /// It must not depend on which root telinject was given (the scanned folder, one file, the
  /// editor's workspace): a language that names modules by their place in a package looks
  /// around the file on disk (through `file.memo` when there is one). With an empty
  /// `file.root` (text from a test) nothing is looked up and `file.relative` is taken to start
  /// at the package root. May be empty: the language then names by the file's text alone.
  virtual std::string module_name(const FileLocation& file) const = 0;

  /// Every function of the file in source order (an enclosing function before the ones inside
  /// it), with its state. `known` are all templates in use, to recognise existing telemetry.
  virtual std::vector<FunctionInfo> extract(const ParsedSource& file,
                                            const std::vector<LanguageTemplate>& known) const = 0;

  /// Incremental extraction, for an editor's buffer after an edit: the functions inside
  /// `statements` (top-level children of `file.root`, in order; what the edit touched), in
  /// source order with parents indexing the result, and with the states `extract` of the whole
  /// file gives them, as if `kept` (the previous extraction's functions of every other
  /// top-level child, moved to their new place) were extracted again unchanged. Nothing when
  /// the language cannot promise that (a file-wide fact such as a `telinject: ignore` comment
  /// or a numbering across statements may have changed): the caller then extracts the whole
  /// file. The default always says nothing.
  virtual std::optional<std::vector<FunctionInfo>> extract_top_level(
      const ParsedSource& file, const std::vector<LanguageTemplate>& known,
      const std::vector<TSNode>& statements, const std::vector<FunctionInfo>& kept) const {
    (void)file, (void)known, (void)statements, (void)kept;
    return std::nullopt;
  }

  /// Layout facts outside the function's own text that change its script (indentation of the
  /// enclosing instrumented functions, the file's indent unit...). Part of the cache key.
  virtual std::string script_context(const ParsedSource& file,
                                     const std::vector<FunctionInfo>& functions, size_t index,
                                     const std::vector<size_t>& wrapped_ancestors) const = 0;

  /// The insertion script that instruments `functions[index]` with `tmpl`. `wrapped_ancestors`
  /// are the indices of the enclosing functions instrumented in the same pass, outermost first
  /// (their edits shift this one's layout). Fails with a reason when the function cannot be
  /// instrumented safely.
  virtual Result<InsertionScript> instrument(
      const ParsedSource& file, const std::vector<FunctionInfo>& functions, size_t index,
      const LanguageTemplate& tmpl, const std::vector<size_t>& wrapped_ancestors) const = 0;

  /// Validation without a second parse, for scripts made from the templates: true when the
  /// language proves from `file`'s tree alone what validation otherwise checks on a parse of
  /// `output` (`file` after `edits`, sorted by offset). That is: `edits` are exactly the
  /// scripts of the functions in `added` plus the import edit, in a shape the language knows
  /// to parse back as `file` with each of them wrapped in telemetry (no new syntax error, no
  /// other function changes state), and which its `remove` takes out again byte for byte.
  /// False means no proof (validation then re-parses), never that the edits are wrong.
  virtual bool proves_instrumented(const ParsedSource& file,
                                   const std::vector<FunctionInfo>& functions,
                                   const std::vector<size_t>& added,
                                   const std::vector<TextEdit>& edits, std::string_view output,
                                   const std::vector<LanguageTemplate>& known) const {
    (void)file, (void)functions, (void)added, (void)edits, (void)output, (void)known;
    return false;
  }

  /// The edit that adds the template's import to the file, or nothing when it is there already.
  virtual std::optional<TextEdit> add_import(const ParsedSource& file,
                                             const LanguageTemplate& tmpl) const = 0;

  /// Edits that take out exactly what telinject inserted: the telemetry of every function in
  /// `functions` marked kInstrumented whose index is in `selected` (all when empty), and the
  /// import line when no telemetry is left. Fails when the telemetry was altered by hand so that
  /// removing it would not restore the original.
  virtual Result<std::vector<TextEdit>> remove(
      const ParsedSource& file, const std::vector<FunctionInfo>& functions,
      const std::vector<size_t>& selected, const std::vector<LanguageTemplate>& known) const = 0;

  /// The runtime helper files this language's `builtin` profile calls, for a file at `file`
  /// (a language may place them by the project around the file: Go's module, for instance).
  /// Paths are below `file.root`. Files at these paths are never instrumented themselves.
  virtual std::vector<RuntimeFile> runtime(const FileLocation& file) const = 0;

  /// Command that checks a file with the language's own compiler, for `--validate=strict`
  /// (empty when the language has none).
  virtual std::vector<std::string> checker_command(const std::filesystem::path& file) const = 0;
};

/// The skeleton of every LanguageSupport::remove(): the functions to take telemetry from, in
/// order (those marked kInstrumented whose index is in `selected`, all when it is empty).
/// `remaining` gets how many instrumented functions keep theirs: the import stays while any
/// does.
std::vector<size_t> telemetry_to_remove(const std::vector<FunctionInfo>& functions,
                                        const std::vector<size_t>& selected, size_t* remaining);

/// Whether the one-line `row` is `pattern` with each lower-case `{placeholder}` standing for any
/// text (how a multi-row template's rows are recognised in code).
bool matches_row_pattern(std::string_view row, std::string_view pattern);

/// The languages compiled into telinject, in one list (core/languages/registry.cpp).
class LanguageRegistry {
 public:
  static const LanguageRegistry& instance();
  const std::vector<const LanguageSupport*>& all() const { return languages_; }
  const LanguageSupport* by_name(std::string_view name) const;
  /// Language of a path by its extension, or nullptr.
  const LanguageSupport* by_extension(const std::filesystem::path& path) const;
  /// Language named by a "#!" first line ("#!/usr/bin/env python3"), or nullptr.
  const LanguageSupport* by_shebang(std::string_view first_line) const;

 private:
  LanguageRegistry();
  std::vector<const LanguageSupport*> languages_;
};

}  // namespace telinject
