#include "go/go_module.h"

#include <fstream>
#include <sstream>

#include "disk_memo.h"
#include "go/go_syntax.h"

namespace telinject::go {

namespace fs = std::filesystem;

std::string module_path_of(std::string_view go_mod) {
  std::istringstream lines{std::string(go_mod)};
  std::string line;
  while (std::getline(lines, line)) {
    std::string_view text = line;
    size_t comment = text.find("//");
    if (comment != std::string_view::npos) text = text.substr(0, comment);
    text = trimmed(text);
    if (!text.empty() && text.back() == '\r') text = trimmed(text.substr(0, text.size() - 1));
    if (text.substr(0, 6) != "module" || text.size() < 8 || (text[6] != ' ' && text[6] != '\t'))
      continue;
    std::string_view path = trimmed(text.substr(7));
    if (path.size() >= 2 && (path.front() == '"' || path.front() == '`')) path = quoted_path(path);
    return std::string(path);
  }
  return "";
}

namespace {

// The folder of `file`, absolute and normalised; empty when it cannot be made absolute.
fs::path file_folder(const FileLocation& file) {
  std::error_code ec;
  fs::path path = fs::absolute(file.root / file.relative, ec);
  return ec ? fs::path() : path.lexically_normal().parent_path();
}

// The module path named by `folder`'s own go.mod: nothing when it has none, "" when its go.mod
// names no module.
std::optional<std::string> own_module_path(const fs::path& folder) {
  std::error_code ec;
  fs::path go_mod = folder / "go.mod";
  if (!fs::is_regular_file(go_mod, ec)) return std::nullopt;
  std::ifstream in(go_mod, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return module_path_of(text.str());
}

// The module of the nearest go.mod at or above `folder`. Through `memo`, each folder of a run
// is looked at once: files of one package, and packages of one module, share the answers.
std::optional<GoModule> module_at_or_above(const fs::path& folder, DiskMemo* memo) {
  auto look = [&]() -> std::optional<GoModule> {
    if (auto path = own_module_path(folder)) {
      if (path->empty()) return std::nullopt;
      return GoModule{folder, *path};
    }
    if (!folder.has_relative_path()) return std::nullopt;
    return module_at_or_above(folder.parent_path(), memo);
  };
  if (!memo) return look();
  return memo->remember<std::optional<GoModule>>("go.mod at or above " + folder.string(), look);
}

// `path` as the Go toolchain writes it into symbol names (cmd/internal/objabi's PathToPrefix):
// control bytes, space, '%', '"', bytes from 0x7F up, and '.' in the last element as %xx.
std::string symbol_prefix(std::string_view path) {
  size_t last_slash = path.rfind('/');
  std::string out;
  out.reserve(path.size());
  constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < path.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(path[i]);
    bool in_last = last_slash == std::string_view::npos || i > last_slash;
    if (c <= ' ' || c == '%' || c == '"' || c >= 0x7F || (c == '.' && in_last)) {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

}  // namespace

std::optional<GoModule> find_module(const FileLocation& file) {
  if (file.root.empty()) return std::nullopt;
  fs::path folder = file_folder(file);
  if (folder.empty()) return std::nullopt;
  return module_at_or_above(folder, file.memo);
}

std::string package_import_path(const FileLocation& file) {
  auto module = find_module(file);
  if (!module) return "";
  std::string inside = file_folder(file).lexically_relative(module->dir).generic_string();
  if (inside == ".") inside.clear();
  // The standard library's packages are named by their folder below GOROOT/src, vendored ones
  // included ("vendor/golang.org/x/net/dns/dnsmessage"); a module's vendored packages by the
  // path they are vendored for.
  if (module->path == "std") return inside;
  if (inside == "vendor") return "";
  if (inside.rfind("vendor/", 0) == 0) return inside.substr(7);
  return inside.empty() ? module->path : module->path + "/" + inside;
}

std::string symbol_package_path(const FileLocation& file) {
  return symbol_prefix(package_import_path(file));
}

std::string helper_import_path(const FileLocation& file) {
  auto module = find_module(file);
  if (!module || module->path == "std") return "telinject";
  return module->path + "/telinject";
}

std::filesystem::path helper_file(const FileLocation& file) {
  const fs::path name = fs::path("telinject") / "telinject.go";
  auto module = find_module(file);
  if (!module) return name;
  std::error_code ec;
  fs::path root = fs::absolute(file.root, ec).lexically_normal();
  if (ec) return name;
  return (module->dir / name).lexically_relative(root);
}

}  // namespace telinject::go
