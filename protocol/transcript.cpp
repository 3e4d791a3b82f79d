#include "transcript.h"

#include <algorithm>

#include "framing.h"
#include "jsonrpc.h"

namespace telinject::protocol {

using nlohmann::json;

namespace {

// Splits `text` into lines without their "\n" or "\r\n". A final line break does not start an
// extra line.
std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    std::size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (newline == std::string_view::npos) break;
    text.remove_prefix(newline + 1);
  }
  return lines;
}

std::string_view trim_right(std::string_view text) {
  std::size_t end = text.find_last_not_of(" \t");
  return end == std::string_view::npos ? std::string_view() : text.substr(0, end + 1);
}

bool is_blank(std::string_view line) { return trim_right(line).empty(); }

bool is_comment(std::string_view line) {
  std::size_t first = line.find_first_not_of(" \t");
  return first != std::string_view::npos && line[first] == '#';
}

std::string pretty(const json& message) {
  return message.dump(2, ' ', false, json::error_handler_t::replace);
}

}  // namespace

bool parse_transcript(std::string_view text, std::vector<json>* messages, std::string* error) {
  std::vector<json> parsed;
  std::string chunk;
  std::size_t chunk_line = 0;  // first line of `chunk` with content, 1-based; 0 when none yet
  auto finish_chunk = [&]() {
    if (chunk_line == 0) return true;
    json message = json::parse(chunk, nullptr, /*allow_exceptions=*/false);
    if (message.is_discarded()) {
      *error = "line " + std::to_string(chunk_line) + ": not one JSON value";
      return false;
    }
    parsed.push_back(std::move(message));
    chunk.clear();
    chunk_line = 0;
    return true;
  };
  std::vector<std::string_view> lines = split_lines(text);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    if (trim_right(line) == kTranscriptDelimiter) {
      if (!finish_chunk()) return false;
      continue;
    }
    if (is_comment(line) || is_blank(line)) continue;
    if (chunk_line == 0) chunk_line = i + 1;
    chunk.append(line);
    chunk.push_back('\n');
  }
  if (!finish_chunk()) return false;
  *messages = std::move(parsed);
  return true;
}

std::string render_transcript(const std::vector<json>& messages) {
  std::string text;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (i > 0) text.append(kTranscriptDelimiter).push_back('\n');
    text.append(pretty(messages[i])).push_back('\n');
  }
  return text;
}

std::string render_transcript_bodies(const std::vector<std::string>& bodies) {
  std::string text;
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    if (i > 0) text.append(kTranscriptDelimiter).push_back('\n');
    json message = json::parse(bodies[i], nullptr, /*allow_exceptions=*/false);
    text.append(message.is_discarded() ? bodies[i] : pretty(message)).push_back('\n');
  }
  return text;
}

std::string frame_transcript(const std::vector<json>& messages) {
  std::string stream;
  for (const json& message : messages) stream.append(frame(dump_json(message)));
  return stream;
}

std::optional<std::string> transcript_difference(std::string_view expected,
                                                 std::string_view actual) {
  std::vector<std::string_view> want = split_lines(expected);
  std::vector<std::string_view> got = split_lines(actual);
  while (!want.empty() && is_blank(want.back())) want.pop_back();
  while (!got.empty() && is_blank(got.back())) got.pop_back();
  for (std::size_t i = 0; i < std::max(want.size(), got.size()); ++i) {
    std::string_view a = i < want.size() ? want[i] : "<end of transcript>";
    std::string_view b = i < got.size() ? got[i] : "<end of transcript>";
    if (i < want.size() && i < got.size() && a == b) continue;
    return "line " + std::to_string(i + 1) + ": expected " + std::string(a) + ", got " +
           std::string(b);
  }
  return std::nullopt;
}

}  // namespace telinject::protocol
