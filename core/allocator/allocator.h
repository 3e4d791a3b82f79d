#pragma once
// The allocator of the telinject and telinject-lsp binaries.
//
// Both link mimalloc (Debian: libmimalloc-dev) when the build finds it: it then replaces malloc
// for the whole process, tree-sitter's nodes included. A parse allocates a node per token and
// rule (~470,000 for a 5,000-line Python file) and frees them all when the tree goes; with
// glibc's malloc that parse took ~30 % longer and its release 4x longer (bench/README.md).
// Sanitizer builds keep the sanitizer's allocator. The tests link the default allocator.
#include <string>

namespace telinject {

// "mimalloc 2.0.9" when mimalloc serves this process's malloc, "mimalloc 2.0.9 (linked, not
// serving malloc)" if it is linked but something loaded earlier took malloc, else "glibc malloc"
// (or whichever the process has). For --version and the logs.
std::string allocator_description();

}  // namespace telinject
