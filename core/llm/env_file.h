// Writing `.env`: `telinject configure` sets a few variables and keeps everything else.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace telinject::llm {

/// `existing` (.env text) with each variable of `values` set: a line that assigns it (with or
/// without `export`) is replaced in place, the others are appended; every other line is kept
/// byte for byte. Values are written double-quoted with escapes, so parse_dotenv reads them
/// back exactly.
std::string update_dotenv_text(const std::string& existing,
                               const std::vector<std::pair<std::string, std::string>>& values);

}  // namespace telinject::llm
