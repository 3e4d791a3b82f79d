// read_json: RFC 8259 JSON text to an nlohmann::json, as nlohmann's own parser reads it (the
// same values, number kinds and rejections), without its per-character lexer: the runs of plain
// characters in a string are copied whole. A didOpen or full-text didChange of a 5,000-line file
// is one 150 KB string; nlohmann's parse of it took ~11 M instructions, most of a change's cost
// after the tree-sitter parse.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

namespace telinject::protocol {

/// The value `text` holds, or nothing when it is not one JSON value (with surrounding
/// whitespace only), holds invalid UTF-8 or a lone surrogate escape, or nests deeper than
/// `max_depth` arrays and objects.
std::optional<nlohmann::json> read_json(std::string_view text, int max_depth);

}  // namespace telinject::protocol
