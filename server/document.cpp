#include "document.h"

namespace telinject::server {
namespace {

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

std::shared_ptr<const DocumentSnapshot> make_snapshot(std::string uri, int version,
                                                      std::string text,
                                                      const std::filesystem::path& root) {
  auto snapshot = std::make_shared<DocumentSnapshot>();
  snapshot->path = path_from_uri(uri).value_or(std::filesystem::path());
  snapshot->root = root.empty() ? snapshot->path.parent_path() : root;
  snapshot->relative = snapshot->path.lexically_relative(snapshot->root);
  if (snapshot->relative.empty() || *snapshot->relative.begin() == "..")
    snapshot->relative = snapshot->path.filename();
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
  return snapshot;
}

}  // namespace telinject::server
