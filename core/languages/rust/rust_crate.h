// Rust crates around a file, found on disk: the nearest Cargo.toml with a [package], the crate
// the file belongs to (its root file, its name as symbols print it), the module path of the file
// inside it, and where the helper module goes.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "language.h"

namespace telinject::rust {

/// The crate a file belongs to, as far as telinject follows it (docs/rust.md): the library
/// (`src/lib.rs` or `[lib] path`) or the package's binary (`src/main.rs`) with the modules in
/// the root's folder and below. Other crates of a package (src/bin/, tests/, examples/,
/// benches/, build.rs) are left alone: `skip_reason` says why.
struct CrateOfFile {
  std::string crate_name;           // "my_crate" ('-' -> '_'); empty without a Cargo.toml
  std::vector<std::string> module;  // the file's module path below the crate root ({"a", "b"})
  bool is_root = false;             // the file is the crate's root (lib.rs, main.rs)
  /// The crate root's folder, relative to FileLocation::root: where telinject.rs goes.
  std::filesystem::path root_folder;
  /// What a crate root declares the helper with, appended as its last row: `mod telinject;`;
  /// in a library with a binary beside it `#[doc(hidden)] pub mod telinject;`, and in that
  /// binary `use <library>::telinject;` (one copy of the helper for both crates, so that a call
  /// from the binary into the library nests). Empty for files that are not roots.
  std::string declaration;
  /// The crate root's file, absolute; empty when no Cargo package was found.
  std::filesystem::path root_file;
  /// Why the file's functions are left alone (not a crate telinject instruments, a #![no_std]
  /// crate); empty when they are instrumented.
  std::string skip_reason;
};

/// Looks the crate up around `file` (through `file.memo` when there is one; thread-safe). With
/// an empty `file.root` nothing is read: `file.relative` is taken to lie below the crate's
/// `src/` folder, `lib.rs`/`main.rs` being the root. `root_text` is the file's own text, read
/// instead of the disk when the file is its crate's root.
CrateOfFile find_crate(const FileLocation& file, std::string_view own_text);

/// The name of a Cargo package's library from Cargo.toml text ([lib] name, else [package] name
/// with '-' as '_'), and the [lib] path; empty names when the text has no [package].
struct CargoManifest {
  std::string package_name;  // as written: "my-crate"
  std::string lib_name;      // "my_crate"
  std::string lib_path;      // "src/lib.rs" unless [lib] path says otherwise
  std::string edition;       // "2015" when not given, as Cargo reads it
  bool lib_linkable = true;  // the library is a Rust library a binary can use (not a
                             // proc-macro or a cdylib/staticlib only)
};
CargoManifest parse_manifest(std::string_view text);

/// Whether the crate root's text declares `#![no_std]` unconditionally.
bool declares_no_std(std::string_view root_text);

}  // namespace telinject::rust
