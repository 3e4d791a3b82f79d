#include "document.h"

#include <algorithm>

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

namespace {

// Sets `snapshot`'s tree to what `work` returns, run through `parse` (or at once).
void schedule_parse(DocumentSnapshot& snapshot, const ParseExecutor& parse,
                    std::function<std::shared_ptr<const SyntaxTree>()> work) {
  auto promise = std::make_shared<std::promise<std::shared_ptr<const SyntaxTree>>>();
  snapshot.parsed = promise->get_future().share();
  auto task = [promise, work = std::move(work)] { promise->set_value(work()); };
  if (parse) parse(std::move(task));
  else task();
}

}  // namespace

std::shared_ptr<const DocumentSnapshot> make_snapshot(std::string uri, int version,
                                                      std::string text,
                                                      const std::filesystem::path& root,
                                                      const ParseExecutor& parse) {
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
  if (parseable(*snapshot)) {
    // The task holds the text through the snapshot, which outlives none of its readers.
    std::weak_ptr<DocumentSnapshot> weak = snapshot;
    const TSLanguage* grammar = snapshot->language->grammar();
    schedule_parse(*snapshot, parse, [weak, grammar]() -> std::shared_ptr<const SyntaxTree> {
      auto self = weak.lock();
      if (!self) return nullptr;  // nobody can read this tree any more
      auto tree = SyntaxTree::parse(grammar, self->text);
      return tree.ok() ? std::make_shared<const SyntaxTree>(std::move(*tree)) : nullptr;
    });
  }
  return snapshot;
}

std::shared_ptr<const DocumentSnapshot> edit_snapshot(const DocumentSnapshot& before, int version,
                                                      protocol::AppliedChanges changes,
                                                      const ParseExecutor& parse) {
  bool whole = std::any_of(changes.edits.begin(), changes.edits.end(),
                           [](const protocol::ByteEdit& e) { return e.replaced_whole_text; });
  if (whole || !before.parsed.valid())
    return make_snapshot(before.uri, version, std::move(changes.text), before.root, parse);
  auto snapshot = std::make_shared<DocumentSnapshot>();
  snapshot->uri = before.uri;
  snapshot->path = before.path;
  snapshot->root = before.root;
  snapshot->relative = before.relative;
  snapshot->language = before.language;
  snapshot->version = version;
  snapshot->text = std::move(changes.text);
  snapshot->lines = protocol::LineIndex(snapshot->text);
  if (!parseable(*snapshot)) return snapshot;
  std::vector<TSInputEdit> edits;
  edits.reserve(changes.edits.size());
  for (const protocol::ByteEdit& e : changes.edits)
    edits.push_back({e.start_byte, e.old_end_byte, e.new_end_byte,
                     {e.start_point.row, e.start_point.column},
                     {e.old_end_point.row, e.old_end_point.column},
                     {e.new_end_point.row, e.new_end_point.column}});
  // The previous parse was given to the same serial executor first: it is done (or dropped)
  // when this task runs, so waiting for it never blocks.
  std::weak_ptr<DocumentSnapshot> weak = snapshot;
  const TSLanguage* grammar = snapshot->language->grammar();
  schedule_parse(*snapshot, parse,
                 [weak, grammar, previous = before.parsed, edits = std::move(edits)]()
                     -> std::shared_ptr<const SyntaxTree> {
                   auto self = weak.lock();
                   if (!self) return nullptr;
                   std::shared_ptr<const SyntaxTree> old = previous.get();
                   auto tree = old ? SyntaxTree::reparse(grammar, *old, edits, self->text)
                                   : SyntaxTree::parse(grammar, self->text);
                   return tree.ok() ? std::make_shared<const SyntaxTree>(std::move(*tree)) : nullptr;
                 });
  return snapshot;
}

}  // namespace telinject::server
