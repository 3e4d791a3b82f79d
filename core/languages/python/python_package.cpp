#include "python/python_package.h"

#include <toml++/toml.h>

#include <map>
#include <mutex>
#include <system_error>
#include <vector>

#include "disk_memo.h"

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
  out.helper_path =
      in_package ? fs::path(out.top_package) / kHelperFile : relative.parent_path() / kHelperFile;
  return out;
}

// The source roots a project declares for import resolution, as ruff's `src` setting
// ([tool.ruff] in pyproject.toml, or ruff.toml / .ruff.toml), made absolute. The nearest of
// these files above `dir` decides; none: no roots. Parsed files are kept with their
// modification time, so a long-running server sees an edit.
std::vector<fs::path> declared_source_roots(const fs::path& dir) {
  struct Parsed {
    fs::file_time_type mtime;
    std::vector<fs::path> roots;
  };
  static std::mutex mutex;
  static std::map<fs::path, Parsed> parsed;
  for (fs::path at = dir; !at.empty(); at = at.parent_path()) {
    for (const char* name : {"pyproject.toml", "ruff.toml", ".ruff.toml"}) {
      fs::path config = at / name;
      std::error_code ec;
      fs::file_time_type mtime = fs::last_write_time(config, ec);
      if (ec) continue;
      std::lock_guard<std::mutex> lock(mutex);
      auto found = parsed.find(config);
      if (found != parsed.end() && found->second.mtime == mtime) return found->second.roots;
      Parsed entry{mtime, {}};
      // A file that does not parse declares nothing here; the config loader reports it.
      toml::table document;
#if TOML_EXCEPTIONS
      try {
        document = toml::parse_file(config.string());
      } catch (const toml::parse_error&) {
      }
#else
      if (toml::parse_result result = toml::parse_file(config.string()))
        document = std::move(result).table();
#endif
      toml::node_view<toml::node> src =
          name == std::string("pyproject.toml") ? document["tool"]["ruff"]["src"] : document["src"];
      if (const toml::array* list = src.as_array())
        for (const toml::node& item : *list)
          if (auto text = item.value<std::string>())
            entry.roots.push_back((at / *text).lexically_normal());
      // A pyproject.toml without ruff settings still marks the project's top: stop here.
      parsed[config] = entry;
      return entry.roots;
    }
    if (at == at.root_path()) break;
  }
  return {};
}

// True when `inner` is `outer` or below it (both absolute and normal).
bool is_within(const fs::path& inner, const fs::path& outer) {
  auto mismatch = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  return mismatch.first == outer.end() ||
         (std::next(mismatch.first) == outer.end() && mismatch.first->empty());
}

std::vector<std::string> dotted_parts(const fs::path& relative) {
  std::vector<std::string> parts;
  for (const fs::path& part : relative)
    if (part != "." && !part.empty()) parts.push_back(part.string());
  return parts;
}

// What a folder gives every module in it: the import name's prefix and the helper's place.
struct FolderLocation {
  std::vector<std::string> prefix;  // namespace parts, then the packages, outermost first
  bool in_package = false;          // the folder is a package
  std::string top_package;
  std::string helper_module;
  fs::path helper_path;
};

// `folder` is absolute and normal, below (or at) `root`.
FolderLocation locate_folder(const fs::path& root, const fs::path& folder) {
  std::vector<std::string> reversed;  // innermost first
  fs::path dir = folder;
  fs::path outermost;  // the top package's folder, empty for a stand-alone module
  while (!dir.empty() && dir != dir.root_path() && is_package(dir)) {
    outermost = dir;
    reversed.push_back(dir.filename().string());
    dir = dir.parent_path();
  }

  // Namespace packages: folders without __init__.py between a declared source root and the
  // package (or the module) are part of the import name.
  std::vector<std::string> namespace_parts;
  fs::path deepest_root;
  for (const fs::path& source_root : declared_source_roots(folder))
    if (is_within(dir, source_root) && source_root.string().size() > deepest_root.string().size())
      deepest_root = source_root;
  if (!deepest_root.empty()) namespace_parts = dotted_parts(dir.lexically_relative(deepest_root));

  FolderLocation out;
  out.prefix = namespace_parts;
  out.prefix.insert(out.prefix.end(), reversed.rbegin(), reversed.rend());
  out.in_package = !outermost.empty();
  if (outermost.empty()) {
    // A stand-alone module (a script, tests in a folder without __init__.py): the helper goes
    // beside it, imported by its plain name, which works wherever the module's own folder is on
    // sys.path (`python tool.py`, pytest). Its name still counts a source root's namespace.
    out.helper_module = "telinject_runtime";
    out.helper_path = (folder / kHelperFile).lexically_relative(root);
  } else {
    namespace_parts.push_back(outermost.filename().string());
    out.top_package = join(namespace_parts);
    out.helper_module = out.top_package + ".telinject_runtime";
    out.helper_path = (outermost / kHelperFile).lexically_relative(root);
  }
  return out;
}

ModuleLocation locate_on_disk(const FileLocation& file) {
  std::error_code ec;
  fs::path root = fs::absolute(file.root, ec).lexically_normal();
  if (ec) return from_relative_path(file.relative);
  fs::path path = (root / file.relative).lexically_normal();
  fs::path folder = path.parent_path();
  // Looked up once per folder and run: a run keeps nothing per file.
  FolderLocation where = file.memo
                             ? file.memo->remember<FolderLocation>(
                                   "python folder of " + root.string() + '\0' + folder.string(),
                                   [&] { return locate_folder(root, folder); })
                             : locate_folder(root, folder);
  ModuleLocation out;
  std::vector<std::string> parts = std::move(where.prefix);
  std::string stem = path.stem().string();
  if (stem != "__init__" || !where.in_package) parts.push_back(stem);
  out.module = join(parts);
  out.top_package = std::move(where.top_package);
  out.helper_module = std::move(where.helper_module);
  out.helper_path = std::move(where.helper_path);
  return out;
}

}  // namespace

ModuleLocation locate_module(const FileLocation& file) {
  if (file.root.empty()) return from_relative_path(file.relative);
  return locate_on_disk(file);
}

}  // namespace telinject::python
