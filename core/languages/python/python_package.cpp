#include "python/python_package.h"

#include <system_error>
#include <vector>

namespace telinject::python {

namespace fs = std::filesystem;

namespace {

bool is_package(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "__init__.py", ec);
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out.push_back('.');
    out += part;
  }
  return out;
}

// Without a root: "pkg/sub/mod.py" is module pkg.sub.mod of package pkg (as before telinject
// looked at the disk; golden tests and stdin rely on it).
ModuleLocation from_relative_path(const fs::path& relative) {
  std::vector<std::string> parts;
  for (const fs::path& part : relative.parent_path())
    if (part != "." && !part.empty()) parts.push_back(part.string());
  std::string stem = relative.stem().string();
  if (stem != "__init__" || parts.empty()) parts.push_back(stem);
  ModuleLocation out;
  out.module = join(parts);
  bool in_package = relative.has_parent_path() && relative.parent_path() != ".";
  out.top_package = in_package ? parts.front() : "";
  out.helper_module = in_package ? out.top_package + ".telinject_runtime" : "telinject_runtime";
  out.helper_path = in_package ? fs::path(out.top_package) / kHelperFile
                               : relative.parent_path() / kHelperFile;
  return out;
}

}  // namespace

ModuleLocation locate_module(const FileLocation& file) {
  if (file.root.empty()) return from_relative_path(file.relative);
  std::error_code ec;
  fs::path root = fs::absolute(file.root, ec).lexically_normal();
  if (ec) return from_relative_path(file.relative);
  fs::path path = (root / file.relative).lexically_normal();

  std::vector<std::string> reversed;  // innermost first
  std::string stem = path.stem().string();
  fs::path dir = path.parent_path();
  fs::path outermost;  // the top package's folder, empty for a stand-alone module
  while (!dir.empty() && dir != dir.root_path() && is_package(dir)) {
    outermost = dir;
    reversed.push_back(dir.filename().string());
    dir = dir.parent_path();
  }
  std::vector<std::string> parts(reversed.rbegin(), reversed.rend());
  if (stem != "__init__" || parts.empty()) parts.push_back(stem);

  ModuleLocation out;
  out.module = join(parts);
  if (outermost.empty()) {
    out.helper_module = "telinject_runtime";
    out.helper_path = (path.parent_path() / kHelperFile).lexically_relative(root);
  } else {
    out.top_package = outermost.filename().string();
    out.helper_module = out.top_package + ".telinject_runtime";
    out.helper_path = (outermost / kHelperFile).lexically_relative(root);
  }
  return out;
}

}  // namespace telinject::python
