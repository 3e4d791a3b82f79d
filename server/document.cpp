#include "document.h"

#include <algorithm>

#include "incremental_extraction.h"

namespace telinject::server {
namespace {

bool parseable(const DocumentSnapshot& document) {
  return document.language && document.text.rfind("\xEF\xBB\xBF", 0) != 0;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::filesystem::path> path_from_uri(std::string_view uri) {
  constexpr std::string_view kScheme = "file://";
  if (uri.substr(0, kScheme.size()) != kScheme) return std::nullopt;
  std::string_view rest = uri.substr(kScheme.size());
  // "file://host/path": only the local host (empty or "localhost") is a path here.
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view host = rest.substr(0, slash);
  if (!host.empty() && host != "localhost") return std::nullopt;
  std::string path;
  for (size_t i = slash; i < rest.size(); ++i) {
    if (rest[i] == '%' && i + 2 < rest.size() && hex_value(rest[i + 1]) >= 0 &&
        hex_value(rest[i + 2]) >= 0) {
      path.push_back(static_cast<char>(hex_value(rest[i + 1]) * 16 + hex_value(rest[i + 2])));
      i += 2;
    } else if (rest[i] == '?' || rest[i] == '#') {
      break;
    } else {
      path.push_back(rest[i]);
    }
  }
  return std::filesystem::path(path);
}

std::string uri_from_path(const std::filesystem::path& path) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out = "file://";
  for (unsigned char c : path.generic_string()) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '/' || c == '-' || c == '.' || c == '_' || c == '~';
    if (plain) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

void fill_functions_memo(DocumentSnapshot::FunctionsMemo& memo, const DocumentSnapshot& document,
                         const ServerSettings& settings) {
  if (memo.valid && memo.generation == settings.generation) return;
  std::shared_ptr<const SyntaxTree> tree = document.tree();
  memo.extracted = extract_text(document.text, document.location(), *document.language,
                                settings.config, tree.get());
  memo.functions = check_extracted(*memo.extracted);
  memo.generation = settings.generation;
  memo.valid = true;
}

namespace {

// What an analysis extracts for: the settings (generation and config) at schedule time, and
// the memo of the version before, when there is one to start from.
struct ExtractionSettings {
  ServerSettings settings;
  std::shared_ptr<DocumentSnapshot::FunctionsMemo> previous;
};

// A parse, and what an incremental extraction needs to know of it.
struct ParseResult {
  std::shared_ptr<const SyntaxTree> tree;
  bool from_previous = false;    // re-parsed from the previous version's tree after `edits`
  std::vector<TSRange> changed;  // where the syntax changed, when from_previous
};

// The previous version's extraction when it can be the start of this one: made for the same
// settings, from the tree this one was re-parsed from.
std::shared_ptr<const ExtractedText> starting_point(const ExtractionSettings& extraction,
                                                    const ParseResult& parse) {
  if (!extraction.previous || !parse.from_previous) return nullptr;
  std::lock_guard lock(extraction.previous->mutex);
  const DocumentSnapshot::FunctionsMemo& memo = *extraction.previous;
  if (!memo.valid || memo.generation != extraction.settings.generation) return nullptr;
  return memo.extracted;
}

// Sets `snapshot`'s tree to what `parse` returns, then fills its memo for `extraction` when
// given, all through `executor` (or at once). The tree is published after the extraction:
// whoever waits for it finds the functions ready.
using Parse = std::function<ParseResult(const DocumentSnapshot& self)>;
void schedule_analysis(const std::shared_ptr<DocumentSnapshot>& snapshot,
                       const ParseExecutor& executor, Parse parse,
                       std::optional<ExtractionSettings> extraction,
                       std::vector<TSInputEdit> edits = {}) {
  auto promise = std::make_shared<std::promise<std::shared_ptr<const SyntaxTree>>>();
  snapshot->parsed = promise->get_future().share();
  snapshot->executor = executor;
  // Every version is analysed, even one replaced before its turn came: the next one's parse
  // and extraction start from it, and an incremental step costs far less than a whole one.
  auto task = [promise, self = snapshot, parse = std::move(parse),
               extraction = std::move(extraction), edits = std::move(edits)] {
    ParseResult parsed = parse(*self);
    const std::shared_ptr<const SyntaxTree>& tree = parsed.tree;
    if (tree && extraction) {
      std::shared_ptr<const ExtractedText> previous = starting_point(*extraction, parsed);
      DocumentSnapshot::FunctionsMemo& memo = *self->memo;
      std::lock_guard lock(memo.mutex);
      memo.extracted =
          previous ? extract_text_after_edits(*previous, self->text, *tree, edits, parsed.changed)
                   : extract_text(self->text, self->location(), *self->language,
                                  extraction->settings.config, tree.get());
      memo.functions = check_extracted(*memo.extracted);
      memo.generation = extraction->settings.generation;
      memo.valid = true;
    }
    promise->set_value(std::move(parsed.tree));
  };
  if (executor)
    executor(std::move(task));
  else
    task();
}

// The one edit that turns `before`'s text into `after`'s: what lies between their common
// beginning and their common end. A full-sync client's keystroke then costs what a ranged
// change costs (an incremental parse and extraction), not a whole parse.
TSInputEdit difference(const DocumentSnapshot& before, const DocumentSnapshot& after) {
  std::string_view old_text = before.text, new_text = after.text;
  size_t shorter = std::min(old_text.size(), new_text.size());
  size_t prefix =
      std::mismatch(old_text.begin(), old_text.begin() + shorter, new_text.begin()).first -
      old_text.begin();
  size_t suffix = 0;
  while (suffix < shorter - prefix &&
         old_text[old_text.size() - 1 - suffix] == new_text[new_text.size() - 1 - suffix])
    ++suffix;
  // Rows as tree-sitter counts them: after each '\n' only (a lone '\r' starts no row for it).
  auto point = [](std::string_view text, size_t offset) {
    std::string_view head = text.substr(0, offset);
    size_t row = static_cast<size_t>(std::count(head.begin(), head.end(), '\n'));
    size_t row_start = head.rfind('\n');
    row_start = row_start == std::string_view::npos ? 0 : row_start + 1;
    return TSPoint{static_cast<uint32_t>(row), static_cast<uint32_t>(offset - row_start)};
  };
  TSInputEdit edit{};
  edit.start_byte = static_cast<uint32_t>(prefix);
  edit.old_end_byte = static_cast<uint32_t>(old_text.size() - suffix);
  edit.new_end_byte = static_cast<uint32_t>(new_text.size() - suffix);
  edit.start_point = point(old_text, edit.start_byte);
  edit.old_end_point = point(old_text, edit.old_end_byte);
  edit.new_end_point = point(new_text, edit.new_end_byte);
  return edit;
}

}  // namespace

std::shared_ptr<const DocumentSnapshot> make_snapshot(std::string uri, int version,
                                                      std::string text,
                                                      const std::filesystem::path& root,
                                                      const ParseExecutor& parse,
                                                      const ServerSettings* settings) {
  auto snapshot = std::make_shared<DocumentSnapshot>();
  snapshot->path = path_from_uri(uri).value_or(std::filesystem::path());
  snapshot->root = root.empty() ? snapshot->path.parent_path() : root;
  snapshot->relative = snapshot->path.lexically_relative(snapshot->root);
  if (snapshot->relative.empty() || *snapshot->relative.begin() == "..") {
    snapshot->root = snapshot->path.parent_path();
    snapshot->relative = snapshot->path.filename();
  }
  const LanguageRegistry& registry = LanguageRegistry::instance();
  snapshot->language = registry.by_extension(snapshot->path);
  if (!snapshot->language) {
    std::string_view first_line(text);
    first_line = first_line.substr(0, first_line.find('\n'));
    snapshot->language = registry.by_shebang(first_line);
  }
  snapshot->uri = std::move(uri);
  snapshot->version = version;
  snapshot->text = std::move(text);
  snapshot->lines = protocol::LineIndex(snapshot->text);
  snapshot->executor = parse;
  if (parseable(*snapshot)) {
    const TSLanguage* grammar = snapshot->language->grammar();
    std::optional<ExtractionSettings> extraction;
    if (settings) extraction = ExtractionSettings{*settings, nullptr};
    schedule_analysis(
        snapshot, parse,
        [grammar](const DocumentSnapshot& self) {
          auto tree = SyntaxTree::parse(grammar, self.text);
          ParseResult result;
          if (tree.ok()) result.tree = std::make_shared<const SyntaxTree>(std::move(*tree));
          return result;
        },
        std::move(extraction));
  }
  return snapshot;
}

std::shared_ptr<const DocumentSnapshot> edit_snapshot(const DocumentSnapshot& before, int version,
                                                      protocol::AppliedChanges changes,
                                                      const ParseExecutor& parse,
                                                      const ServerSettings* settings) {
  bool whole = std::any_of(changes.edits.begin(), changes.edits.end(),
                           [](const protocol::ByteEdit& e) { return e.replaced_whole_text; });
  // A whole text replaced becomes the one edit between the texts, unless the new text may name
  // another language (by its #! line: the extension names none).
  bool same_language =
      before.language && LanguageRegistry::instance().by_extension(before.path) == before.language;
  if ((whole && !same_language) || !before.parsed.valid())
    return make_snapshot(before.uri, version, std::move(changes.text), before.root, parse,
                         settings);
  auto snapshot = std::make_shared<DocumentSnapshot>();
  snapshot->uri = before.uri;
  snapshot->path = before.path;
  snapshot->root = before.root;
  snapshot->relative = before.relative;
  snapshot->language = before.language;
  snapshot->version = version;
  snapshot->text = std::move(changes.text);
  snapshot->lines = protocol::LineIndex(snapshot->text);
  snapshot->executor = parse;
  if (!parseable(*snapshot)) return snapshot;
  std::vector<TSInputEdit> edits;
  if (whole) {
    edits.push_back(difference(before, *snapshot));
  } else {
    edits.reserve(changes.edits.size());
    for (const protocol::ByteEdit& e : changes.edits)
      edits.push_back({e.start_byte,
                       e.old_end_byte,
                       e.new_end_byte,
                       {e.start_point.row, e.start_point.column},
                       {e.old_end_point.row, e.old_end_point.column},
                       {e.new_end_point.row, e.new_end_point.column}});
  }
  std::optional<ExtractionSettings> extraction;
  if (settings) extraction = ExtractionSettings{*settings, before.memo};
  // The previous analysis was given to the same serial executor first: it is done (or
  // dropped) when this task runs, so waiting for it never blocks; its extraction, when made
  // for these settings, is where this one starts.
  const TSLanguage* grammar = snapshot->language->grammar();
  schedule_analysis(
      snapshot, parse,
      [grammar, previous = before.parsed, edits](const DocumentSnapshot& self) {
        ParseResult result;
        std::shared_ptr<const SyntaxTree> old = previous.get();
        result.from_previous = old != nullptr;
        auto tree = old ? SyntaxTree::reparse(grammar, *old, edits, self.text, &result.changed)
                        : SyntaxTree::parse(grammar, self.text);
        if (tree.ok()) result.tree = std::make_shared<const SyntaxTree>(std::move(*tree));
        return result;
      },
      std::move(extraction), edits);
  return snapshot;
}

}  // namespace telinject::server
