#include "go/go_module.h"

#include <fstream>
#include <sstream>

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

std::optional<GoModule> find_module(const FileLocation& file) {
  if (file.root.empty()) return std::nullopt;
  std::error_code ec;
  fs::path dir = fs::absolute(file.root / file.relative, ec).lexically_normal().parent_path();
  if (ec) return std::nullopt;
  for (;;) {
    fs::path go_mod = dir / "go.mod";
    if (fs::is_regular_file(go_mod, ec)) {
      std::ifstream in(go_mod, std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      std::string path = module_path_of(text.str());
      if (path.empty()) return std::nullopt;
      return GoModule{dir, path};
    }
    if (!dir.has_relative_path()) return std::nullopt;
    dir = dir.parent_path();
  }
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
