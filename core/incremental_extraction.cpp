#include "incremental_extraction.h"

#include <algorithm>
#include <optional>

#include "instrument_pass.h"
#include "syntax_tree.h"

namespace telinject {
namespace {

// A top-level child of a root: where it is and what it is.
struct TopLevel {
  TSNode node;
  uint32_t start_byte, end_byte;
  TSPoint start_point;
  TSSymbol symbol;
};

std::vector<TopLevel> top_level_children(TSNode root) {
  std::vector<TopLevel> children;
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  if (ts_tree_cursor_goto_first_child(&cursor)) {
    do {
      TSNode node = ts_tree_cursor_current_node(&cursor);
      children.push_back({node, ts_node_start_byte(node), ts_node_end_byte(node),
                          ts_node_start_point(node), ts_node_symbol(node)});
    } while (ts_tree_cursor_goto_next_sibling(&cursor));
  }
  ts_tree_cursor_delete(&cursor);
  return children;
}

// Bytes [begin, end] of the new text that an edit wrote or whose syntax changed.
struct Span {
  uint32_t begin, end;
};

// Where `offset`, a byte of the text after `edit`, was before it; nothing when the edit wrote it.
std::optional<uint32_t> before_edit(uint32_t offset, const TSInputEdit& edit) {
  if (offset >= edit.new_end_byte) return offset - edit.new_end_byte + edit.old_end_byte;
  if (offset > edit.start_byte) return std::nullopt;
  return offset;
}

// The spans the edits wrote, each carried through the edits after it to the final text.
std::vector<Span> written_spans(const std::vector<TSInputEdit>& edits) {
  std::vector<Span> spans;
  for (size_t i = 0; i < edits.size(); ++i) {
    Span span{edits[i].start_byte, edits[i].new_end_byte};
    for (size_t j = i + 1; j < edits.size(); ++j) {
      const TSInputEdit& later = edits[j];
      auto move = [&](uint32_t offset, bool end) {
        if (offset >= later.old_end_byte) return offset - later.old_end_byte + later.new_end_byte;
        if (offset >= later.start_byte) return end ? later.new_end_byte : later.start_byte;
        return offset;
      };
      span = {move(span.begin, false), move(span.end, true)};
    }
    spans.push_back(span);
  }
  return spans;
}

// The node below `top` spanning exactly [start, end) with `symbol`, or a null node.
TSNode find_node(TSNode top, uint32_t start, uint32_t end, TSSymbol symbol) {
  TSTreeCursor cursor = ts_tree_cursor_new(top);
  TSNode found{};
  for (;;) {
    TSNode node = ts_tree_cursor_current_node(&cursor);
    uint32_t node_start = ts_node_start_byte(node), node_end = ts_node_end_byte(node);
    if (node_start == start && node_end == end && ts_node_symbol(node) == symbol) {
      found = node;
      break;
    }
    if (node_start > start || node_end < end) break;
    if (ts_tree_cursor_goto_first_child_for_byte(&cursor, start) < 0) break;
  }
  ts_tree_cursor_delete(&cursor);
  return found;
}

}  // namespace

const std::vector<FunctionInfo>* extracted_functions(const ExtractedText& extracted) {
  return extracted.parsed ? &extracted.parsed->functions : nullptr;
}

std::shared_ptr<const ExtractedText> extract_text_after_edits(
    const ExtractedText& previous, const std::string& text, const SyntaxTree& tree,
    const std::vector<TSInputEdit>& edits, const std::vector<TSRange>& changed, bool* reused) {
  if (reused) *reused = false;
  auto whole = [&] {
    return extract_text(text, previous.location, *previous.language, previous.config, &tree);
  };
  if (!previous.parsed || !tree.get() || text.rfind("\xEF\xBB\xBF", 0) == 0) return whole();
  const LanguageSupport& language = *previous.language;

  auto parsed = std::make_unique<pass::Parsed>();
  parsed->source = SourceText(text);
  parsed->tree = tree.copy();
  parsed->location = previous.location;
  parsed->module = language.module_name(previous.location);
  parsed->incremental = true;
  // A new module name renames every function.
  if (parsed->module != previous.parsed->module) return whole();

  std::vector<Span> dirty = written_spans(edits);
  for (const TSRange& range : changed) dirty.push_back({range.start_byte, range.end_byte});
  auto touched = [&](uint32_t start, uint32_t end) {
    return std::any_of(dirty.begin(), dirty.end(),
                       [&](const Span& d) { return d.begin <= end && start <= d.end; });
  };
  auto before_edits = [&](uint32_t offset) -> std::optional<uint32_t> {
    for (auto edit = edits.rbegin(); edit != edits.rend(); ++edit) {
      auto moved = before_edit(offset, *edit);
      if (!moved) return std::nullopt;
      offset = *moved;
    }
    return offset;
  };

  SyntaxTree old_tree = previous.parsed->tree.copy();
  const std::vector<TopLevel> old_children = top_level_children(old_tree.root());
  const std::vector<TopLevel> new_children = top_level_children(parsed->tree.root());
  const std::vector<FunctionInfo>& old_functions = previous.parsed->functions;

  // Each new top-level child: the old child it is (moved), or dirty.
  struct Segment {
    size_t child;         // index in new_children
    const TopLevel* old;  // null: extracted again
    size_t first, last;   // old_functions[first, last) inside `old`
  };
  std::vector<Segment> segments;
  std::vector<TSNode> dirty_nodes;
  size_t next_function = 0;
  for (size_t c = 0; c < new_children.size(); ++c) {
    const TopLevel& child = new_children[c];
    const TopLevel* old = nullptr;
    if (!touched(child.start_byte, child.end_byte)) {
      auto start = before_edits(child.start_byte), end = before_edits(child.end_byte);
      if (start && end && *end - *start == child.end_byte - child.start_byte) {
        auto it = std::lower_bound(
            old_children.begin(), old_children.end(), *start,
            [](const TopLevel& t, uint32_t offset) { return t.start_byte < offset; });
        if (it != old_children.end() && it->start_byte == *start && it->end_byte == *end &&
            it->symbol == child.symbol)
          old = &*it;
      }
    }
    if (!old) {
      dirty_nodes.push_back(child.node);
      segments.push_back({c, nullptr, 0, 0});
      continue;
    }
    // Functions are in source order: those of `old` follow the ones before it.
    while (next_function < old_functions.size() &&
           old_functions[next_function].start_byte < old->start_byte)
      ++next_function;
    size_t first = next_function;
    while (next_function < old_functions.size() &&
           old_functions[next_function].start_byte < old->end_byte)
      ++next_function;
    segments.push_back({c, old, first, next_function});
  }

  // The kept functions, moved to their place in the new text; parents renumbered below.
  std::vector<FunctionInfo> kept;
  for (const Segment& segment : segments) {
    if (!segment.old) continue;
    const TopLevel& now = new_children[segment.child];
    const TopLevel& was = *segment.old;
    int64_t bytes = int64_t(now.start_byte) - was.start_byte;
    int64_t rows = int64_t(now.start_point.row) - was.start_point.row;
    int64_t columns = int64_t(now.start_point.column) - was.start_point.column;
    for (size_t i = segment.first; i < segment.last; ++i) {
      const FunctionInfo& old_function = old_functions[i];
      if (old_function.end_byte > was.end_byte ||
          (old_function.parent >= 0 && (old_function.parent < static_cast<int>(segment.first) ||
                                        old_function.parent >= static_cast<int>(i))))
        return whole();
      FunctionInfo f = old_function;
      f.start_byte = static_cast<uint32_t>(f.start_byte + bytes);
      f.end_byte = static_cast<uint32_t>(f.end_byte + bytes);
      // Only the child's first row moves sideways: the rows below it start where they did.
      if (f.name_row == was.start_point.row)
        f.name_column = static_cast<uint32_t>(f.name_column + columns);
      f.start_row = static_cast<uint32_t>(f.start_row + rows);
      f.end_row = static_cast<uint32_t>(f.end_row + rows);
      f.name_row = static_cast<uint32_t>(f.name_row + rows);
      for (uint32_t& row : f.verbatim_rows) row = static_cast<uint32_t>(row + rows);
      f.node =
          find_node(now.node, static_cast<uint32_t>(ts_node_start_byte(old_function.node) + bytes),
                    static_cast<uint32_t>(ts_node_end_byte(old_function.node) + bytes),
                    ts_node_symbol(old_function.node));
      if (ts_node_is_null(f.node)) return whole();
      kept.push_back(std::move(f));
    }
  }

  auto fresh = language.extract_top_level(parsed->view(), previous.templates, dirty_nodes, kept);
  if (!fresh) return whole();

  // Merge in source order, renumbering parents: a kept function's parent was in its segment,
  // a fresh one's among the fresh ones.
  std::vector<FunctionInfo>& functions = parsed->functions;
  functions.reserve(kept.size() + fresh->size());
  std::vector<int> fresh_index(fresh->size(), -1);
  size_t next_kept = 0, next_fresh = 0;
  for (const Segment& segment : segments) {
    if (segment.old) {
      int offset = static_cast<int>(functions.size()) - static_cast<int>(segment.first);
      for (size_t i = segment.first; i < segment.last; ++i) {
        FunctionInfo& f = kept[next_kept++];
        if (f.parent >= 0) f.parent += offset;
        functions.push_back(std::move(f));
      }
      continue;
    }
    const TopLevel& child = new_children[segment.child];
    while (next_fresh < fresh->size() && (*fresh)[next_fresh].start_byte < child.end_byte) {
      FunctionInfo& f = (*fresh)[next_fresh];
      if (f.start_byte < child.start_byte) return whole();
      fresh_index[next_fresh++] = static_cast<int>(functions.size());
      if (f.parent >= 0) f.parent = fresh_index[f.parent];
      functions.push_back(std::move(f));
    }
  }
  if (next_fresh != fresh->size()) return whole();
  apply_config_filters(functions, previous.config);

  auto extracted = std::make_shared<ExtractedText>();
  extracted->language = &language;
  extracted->config = previous.config;
  extracted->location = previous.location;
  extracted->templates = previous.templates;
  extracted->parsed = std::move(parsed);
  if (reused) *reused = true;
  return extracted;
}

}  // namespace telinject
