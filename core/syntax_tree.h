// SyntaxTree: an owned tree-sitter tree, parsed with a per-thread parser.
#pragma once

#include <tree_sitter/api.h>

#include <string_view>
#include <vector>

#include "result.h"

namespace telinject {

/// Move-only owner of a TSTree. Nodes taken from it live as long as it does.
class SyntaxTree {
 public:
  SyntaxTree() = default;
  ~SyntaxTree();
  SyntaxTree(SyntaxTree&& other) noexcept : tree_(other.tree_) { other.tree_ = nullptr; }
  SyntaxTree& operator=(SyntaxTree&& other) noexcept;
  SyntaxTree(const SyntaxTree&) = delete;
  SyntaxTree& operator=(const SyntaxTree&) = delete;

  /// Parses `text` (UTF-8) with `grammar`. Uses one parser per thread and grammar, so callers
  /// on different threads never share one. Fails only when tree-sitter gives no tree.
  static Result<SyntaxTree> parse(const TSLanguage* grammar, std::string_view text);

  /// Parses `new_text`, which is the text `old` was parsed from after `edits` (each relative
  /// to the text the edits before it left, as ts_tree_edit takes them), reusing what the edits
  /// left alone. The result is the tree a fresh parse of `new_text` gives. `changed_ranges`,
  /// when given, gets the ranges of the result whose syntax differs from `old`'s
  /// (ts_tree_get_changed_ranges; text changed inside unchanged syntax, a renamed identifier,
  /// is not among them: see the edits for that). Left empty when `old` has no tree.
  static Result<SyntaxTree> reparse(const TSLanguage* grammar, const SyntaxTree& old,
                                    const std::vector<TSInputEdit>& edits,
                                    std::string_view new_text,
                                    std::vector<TSRange>* changed_ranges = nullptr);

  /// A shallow copy (cheap): trees are not thread-safe, so each thread reads its own copy.
  SyntaxTree copy() const { return SyntaxTree(tree_ ? ts_tree_copy(tree_) : nullptr); }

  TSNode root() const { return ts_tree_root_node(tree_); }
  const TSTree* get() const { return tree_; }
  /// ERROR and MISSING nodes in the tree (0 for a clean parse; counted only when there are any).
  uint32_t error_count() const;

 private:
  explicit SyntaxTree(TSTree* tree) : tree_(tree) {}
  TSTree* tree_ = nullptr;
};

/// Depth-first walk of `root`'s subtree, children in order. `enter(node, depth, cursor)` runs
/// for each node (depth 0: root; `cursor` stands on the node, e.g. for its field name) and
/// returns whether to walk its children; `leave(depth)` runs when the walk is done with a node
/// at `depth` and everything below it. The languages' extractors share this loop.
template <class Enter, class Leave>
void walk_tree(TSNode root, Enter&& enter, Leave&& leave) {
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  uint32_t depth = 0;
  for (;;) {
    bool descend = enter(ts_tree_cursor_current_node(&cursor), depth,
                         static_cast<const TSTreeCursor*>(&cursor));
    if (descend && ts_tree_cursor_goto_first_child(&cursor)) {
      ++depth;
      continue;
    }
    for (;;) {
      leave(depth);
      if (ts_tree_cursor_goto_next_sibling(&cursor)) break;
      if (!ts_tree_cursor_goto_parent(&cursor)) {
        ts_tree_cursor_delete(&cursor);
        return;
      }
      --depth;
    }
  }
}

}  // namespace telinject
