#include "syntax_tree.h"

#include <cstdlib>
#include <cstring>
#include <map>

namespace telinject {
namespace {

// One parser per grammar for the calling thread, freed when the thread ends.
struct ThreadParsers {
  std::map<const TSLanguage*, TSParser*> parsers;
  ~ThreadParsers() {
    for (auto& [grammar, parser] : parsers) ts_parser_delete(parser);
  }
  TSParser* get(const TSLanguage* grammar) {
    TSParser*& parser = parsers[grammar];
    if (!parser) {
      parser = ts_parser_new();
      if (!ts_parser_set_language(parser, grammar)) {
        ts_parser_delete(parser);
        parser = nullptr;
      }
    }
    return parser;
  }
};

// The calling thread's parser for `grammar`, or nullptr when tree-sitter cannot load it.
TSParser* thread_parser(const TSLanguage* grammar) {
  thread_local ThreadParsers parsers;
  return parsers.get(grammar);
}

// thread_parser() with its grammar's external scanner made anew. A parse starts by telling the
// scanner to forget its state, and some scanners keep part of it (tree-sitter-python 0.23's
// `inside_f_string`): the tree of a text then depended on the text the thread parsed before,
// so validation could compare two different parses of the same bytes. Setting the language
// again destroys and recreates the scanner (a small allocation per parse).
TSParser* fresh_thread_parser(const TSLanguage* grammar) {
  TSParser* parser = thread_parser(grammar);
  if (parser && !ts_parser_set_language(parser, grammar)) return nullptr;
  return parser;
}

}  // namespace

SyntaxTree::~SyntaxTree() {
  if (tree_) ts_tree_delete(tree_);
}

SyntaxTree& SyntaxTree::operator=(SyntaxTree&& other) noexcept {
  if (this != &other) {
    if (tree_) ts_tree_delete(tree_);
    tree_ = other.tree_;
    other.tree_ = nullptr;
  }
  return *this;
}

Result<SyntaxTree> SyntaxTree::reparse(const TSLanguage* grammar, const SyntaxTree& old,
                                       const std::vector<TSInputEdit>& edits,
                                       std::string_view new_text,
                                       std::vector<TSRange>* changed_ranges) {
  if (changed_ranges) changed_ranges->clear();
  TSParser* parser = fresh_thread_parser(grammar);
  if (!parser) return make_error("grammar's ABI version is not supported by this tree-sitter");
  if (!old.tree_) return parse(grammar, new_text);
  TSTree* edited = ts_tree_copy(old.tree_);
  for (const TSInputEdit& edit : edits) ts_tree_edit(edited, &edit);
  TSTree* tree = ts_parser_parse_string(parser, edited, new_text.data(),
                                        static_cast<uint32_t>(new_text.size()));
  if (tree && changed_ranges) {
    uint32_t count = 0;
    TSRange* ranges = ts_tree_get_changed_ranges(edited, tree, &count);
    changed_ranges->assign(ranges, ranges + count);
    free(ranges);
  }
  ts_tree_delete(edited);
  if (!tree) return make_error("tree-sitter gave no tree");
  return SyntaxTree(tree);
}

Result<SyntaxTree> SyntaxTree::parse(const TSLanguage* grammar, std::string_view text) {
  TSParser* parser = fresh_thread_parser(grammar);
  if (!parser) return make_error("grammar's ABI version is not supported by this tree-sitter");
  TSTree* tree =
      ts_parser_parse_string(parser, nullptr, text.data(), static_cast<uint32_t>(text.size()));
  if (!tree) return make_error("tree-sitter gave no tree");
  return SyntaxTree(tree);
}

uint32_t SyntaxTree::error_count() const {
  TSNode root = this->root();
  if (!ts_node_has_error(root)) return 0;
  uint32_t count = 0;
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  for (;;) {
    TSNode node = ts_tree_cursor_current_node(&cursor);
    if (ts_node_is_missing(node) || std::strcmp(ts_node_type(node), "ERROR") == 0) ++count;
    if (ts_node_has_error(node) && ts_tree_cursor_goto_first_child(&cursor)) continue;
    bool done = false;
    while (!ts_tree_cursor_goto_next_sibling(&cursor)) {
      if (!ts_tree_cursor_goto_parent(&cursor)) {
        done = true;
        break;
      }
    }
    if (done) break;
  }
  ts_tree_cursor_delete(&cursor);
  return count;
}

}  // namespace telinject
