// Transcripts: a readable text form of a message exchange, for server tests written as files.
//
//   # The client opens a document.        <- a comment: '#' first on its line
//   {"jsonrpc": "2.0", "method": "textDocument/didOpen",
//    "params": {...}}
//   ---                                   <- the delimiter: a line of exactly "---"
//   {"jsonrpc": "2.0", "id": 1, ...}
//
// Each message is one JSON text, free to span lines. A JSON text never holds a raw line break
// inside a string, so a line starting with '#' or equal to "---" can never be part of one.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace telinject::protocol {

/// The line that separates two messages.
inline constexpr std::string_view kTranscriptDelimiter = "---";

/// Parses a transcript into its messages, in order. Blank chunks (only whitespace and
/// comments, e.g. before a leading delimiter) are skipped. Lines may end with "\n" or "\r\n";
/// trailing spaces on the delimiter line are allowed.
///
/// Returns false and sets `*error` to "line N: ..." (N counted from 1, the chunk's first line)
/// when a chunk is not exactly one JSON value. Pure function, thread-safe.
bool parse_transcript(std::string_view text, std::vector<nlohmann::json>* messages,
                      std::string* error);

/// Renders messages as a transcript that parse_transcript reads back: each pretty-printed with
/// two-space indents and sorted keys, separated by delimiter lines, ending with "\n". The same
/// messages always render to the same text, so a rendering can be compared with an expected
/// file. Pure function.
std::string render_transcript(const std::vector<nlohmann::json>& messages);

/// As render_transcript, for raw bodies (what a server sends to its sink): each is parsed and
/// pretty-printed; a body that is not JSON is written as is, so it shows up in a comparison.
std::string render_transcript_bodies(const std::vector<std::string>& bodies);

/// Frames each message (compact JSON) and concatenates them: the byte stream a client would
/// send, to feed a server that reads Content-Length framing.
std::string frame_transcript(const std::vector<nlohmann::json>& messages);

/// Compares two transcripts line by line, ignoring a trailing "\r" on each line and trailing
/// blank lines. Nothing when they match; otherwise the first differing line, as
/// "line N: expected <...>, got <...>". Pure function.
std::optional<std::string> transcript_difference(std::string_view expected,
                                                 std::string_view actual);

}  // namespace telinject::protocol
