#include "rust/rust_crate.h"

#include <toml++/toml.h>

#include <fstream>
#include <optional>
#include <sstream>

#include "disk_memo.h"

namespace telinject::rust {

namespace fs = std::filesystem;

namespace {

std::optional<std::string> read_text(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string symbol_name(std::string name) {
  for (char& c : name)
    if (c == '-') c = '_';
  return name;
}

// A Cargo package: its folder (absolute), manifest and which default crate roots exist.
struct Package {
  fs::path dir;
  CargoManifest manifest;
  bool has_lib = false;
  bool has_main = false;
};

// The package of the nearest Cargo.toml with a [package] at or above `folder` (a workspace's
// virtual manifest is passed over). Through `memo`, each folder is looked at once per run.
std::optional<Package> package_at_or_above(const fs::path& folder, DiskMemo* memo) {
  auto look = [&]() -> std::optional<Package> {
    if (auto text = read_text(folder / "Cargo.toml")) {
      CargoManifest manifest = parse_manifest(*text);
      if (!manifest.package_name.empty()) {
        std::error_code ec;
        Package package{folder, manifest, fs::is_regular_file(folder / manifest.lib_path, ec),
                        fs::is_regular_file(folder / "src" / "main.rs", ec)};
        return package;
      }
    }
    if (!folder.has_relative_path()) return std::nullopt;
    return package_at_or_above(folder.parent_path(), memo);
  };
  if (!memo) return look();
  return memo->remember<std::optional<Package>>("Cargo.toml at or above " + folder.string(), look);
}

bool root_declares_no_std(const fs::path& root_file, DiskMemo* memo) {
  auto look = [&] {
    auto text = read_text(root_file);
    return text && declares_no_std(*text);
  };
  if (!memo) return look();
  return memo->remember<bool>("#![no_std] in " + root_file.string(), look);
}

// The module path of `inside` (a path below the crate root's folder, '/'-separated).
std::vector<std::string> module_path(const fs::path& inside) {
  std::vector<std::string> parts;
  for (const fs::path& part : inside) parts.push_back(part.string());
  if (parts.empty()) return parts;
  std::string& last = parts.back();
  if (last.size() > 3 && last.compare(last.size() - 3, 3, ".rs") == 0) last.resize(last.size() - 3);
  if (last == "mod") parts.pop_back();
  return parts;
}

// A file with no Cargo package around it: `relative` is taken to lie in the crate's source
// folder (below `src/` when it starts with it), lib.rs or main.rs there being the root.
CrateOfFile loose_file(const fs::path& relative, std::string_view own_text) {
  CrateOfFile crate;
  fs::path inside = relative.lexically_normal();
  auto first = inside.begin();
  if (first != inside.end() && *first == "src" && std::next(first) != inside.end()) {
    crate.root_folder = "src";
    inside = inside.lexically_relative("src");
  }
  crate.is_root = inside == "lib.rs" || inside == "main.rs";
  if (!crate.is_root) crate.module = module_path(inside);
  if (crate.is_root) crate.declaration = "mod telinject;";
  if (crate.is_root && declares_no_std(own_text))
    crate.skip_reason = "#![no_std] crate: the helper needs std";
  return crate;
}

}  // namespace

CargoManifest parse_manifest(std::string_view text) {
  CargoManifest manifest;
  toml::table table;
#if TOML_EXCEPTIONS
  try {
    table = toml::parse(text);
  } catch (const toml::parse_error&) {
    return manifest;
  }
#else
  toml::parse_result parsed = toml::parse(text);
  if (!parsed) return manifest;
  table = std::move(parsed).table();
#endif
  manifest.package_name = table["package"]["name"].value_or(std::string());
  manifest.lib_name =
      symbol_name(table["lib"]["name"].value_or(std::string(manifest.package_name)));
  manifest.lib_path = table["lib"]["path"].value_or(std::string("src/lib.rs"));
  manifest.edition = table["package"]["edition"].value_or(std::string("2015"));
  if (table["lib"]["proc-macro"].value_or(false)) manifest.lib_linkable = false;
  if (const toml::array* types = table["lib"]["crate-type"].as_array()) {
    manifest.lib_linkable = false;
    for (const toml::node& type : *types) {
      std::string name = type.value_or(std::string());
      if (name == "lib" || name == "rlib") manifest.lib_linkable = true;
    }
  }
  return manifest;
}

bool declares_no_std(std::string_view root_text) {
  // Inner attributes come first: `#![no_std]` alone, not inside `cfg_attr(...)` (a crate that
  // is no_std only without its `std` feature gets std back in the helper: `extern crate std`).
  for (size_t at = root_text.find("#!"); at != std::string_view::npos;
       at = root_text.find("#!", at + 2)) {
    std::string compact;
    for (size_t i = at + 2; i < root_text.size() && root_text[i] != ']'; ++i)
      if (root_text[i] != ' ' && root_text[i] != '\t') compact.push_back(root_text[i]);
    if (compact == "[no_std") return true;
  }
  return false;
}

CrateOfFile find_crate(const FileLocation& file, std::string_view own_text) {
  if (file.root.empty()) return loose_file(file.relative, own_text);
  std::error_code ec;
  fs::path root = fs::absolute(file.root, ec).lexically_normal();
  if (ec) return loose_file(file.relative, own_text);
  fs::path path = (root / file.relative).lexically_normal();
  auto package = package_at_or_above(path.parent_path(), file.memo);
  if (!package) return loose_file(file.relative, own_text);

  CrateOfFile crate;
  const CargoManifest& manifest = package->manifest;
  fs::path inside = path.lexically_relative(package->dir);
  std::string top = inside.begin() == inside.end() ? "" : inside.begin()->string();
  if (inside == "build.rs") {
    crate.skip_reason = "build script: a crate of its own (not instrumented)";
    return crate;
  }
  if (top == "target") {
    crate.skip_reason = "Cargo's build output (target/)";
    return crate;
  }
  if (top == "tests" || top == "examples" || top == "benches") {
    crate.skip_reason = top + "/ holds crates of their own (not instrumented, docs/rust.md)";
    return crate;
  }
  std::string generic = inside.generic_string();
  if (generic.rfind("src/bin/", 0) == 0) {
    crate.skip_reason = "src/bin/ holds binaries of their own (not instrumented, docs/rust.md)";
    return crate;
  }
  fs::path lib = fs::path(manifest.lib_path).lexically_normal();
  fs::path crate_root;
  if (inside == lib) {
    crate_root = lib;
    crate.crate_name = manifest.lib_name;
  } else if (inside == "src/main.rs" || !package->has_lib) {
    crate_root = "src/main.rs";
    crate.crate_name = symbol_name(manifest.package_name);
  } else {
    crate_root = lib;
    crate.crate_name = manifest.lib_name;
  }
  fs::path below = inside.lexically_relative(crate_root.parent_path());
  if (below.empty() || below.begin()->string() == "..") {
    crate.skip_reason =
        "not below the crate root's folder (" + crate_root.parent_path().generic_string() + ")";
    return crate;
  }
  crate.is_root = inside == crate_root;
  if (!crate.is_root) crate.module = module_path(below);
  // A binary beside a library it can use (edition 2018 on: the library is in its extern
  // prelude) uses the library's helper.
  bool shared = package->has_lib && package->has_main && manifest.lib_linkable &&
                manifest.edition != "2015" && lib.parent_path() == "src";
  if (crate.is_root)
    crate.declaration = !shared             ? "mod telinject;"
                        : crate_root == lib ? "#[doc(hidden)] pub mod telinject;"
                                            : "use " + manifest.lib_name + "::telinject;";
  crate.root_file = package->dir / crate_root;
  crate.root_folder = (package->dir / crate_root.parent_path()).lexically_relative(root);
  if (crate.root_folder == ".") crate.root_folder.clear();
  bool no_std = crate.is_root ? declares_no_std(own_text)
                              : root_declares_no_std(package->dir / crate_root, file.memo);
  if (no_std) crate.skip_reason = "#![no_std] crate: the helper needs std";
  return crate;
}

}  // namespace telinject::rust
