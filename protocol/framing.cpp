#include "framing.h"

#include <algorithm>
#include <limits>

namespace telinject::protocol {
namespace {

constexpr std::size_t kMaxHeaderBytes = 64 * 1024;
constexpr std::string_view kLengthHeader = "content-length:";

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == y; });
}

std::string_view trim(std::string_view text) {
  std::size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// Where "content-length:" (any case) first occurs in `text`, or npos.
std::size_t find_length_header(std::string_view text) {
  for (std::size_t i = 0; i + kLengthHeader.size() <= text.size(); ++i)
    if (equals_ignoring_case(text.substr(i, kLengthHeader.size()), kLengthHeader)) return i;
  return std::string_view::npos;
}

// A header line as error messages quote it: short, control bytes shown as '?'.
std::string quoted(std::string_view line) {
  constexpr std::size_t kShown = 60;
  std::string text(line.substr(0, kShown));
  for (char& c : text)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = '?';
  if (line.size() > kShown) text += "...";
  return "\"" + text + "\"";
}

// Parses a Content-Length value into `*length`; returns what is wrong with it, or "".
std::string parse_length(std::string_view value, uint64_t* length) {
  if (value.empty()) return "empty Content-Length";
  bool negative = value.front() == '-';
  std::string_view digits = negative ? value.substr(1) : value;
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos)
    return "non-numeric Content-Length " + quoted(value);
  if (negative) return "negative Content-Length " + quoted(value);
  uint64_t result = 0;
  for (char c : digits) {
    auto digit = static_cast<uint64_t>(c - '0');
    if (result > (std::numeric_limits<uint64_t>::max() - digit) / 10)
      return "Content-Length out of range " + quoted(value);
    result = result * 10 + digit;
  }
  *length = result;
  return "";
}

}  // namespace

std::string frame(std::string_view body) {
  std::string framed = "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  framed.append(body);
  return framed;
}

MessageReader::MessageReader(std::size_t max_body_bytes) : max_body_bytes_(max_body_bytes) {}

void MessageReader::feed(std::string_view bytes) {
  // Drop consumed bytes before growing: the buffer holds at most one unread message plus what
  // the caller feeds at once.
  if (position_ > 0) {
    buffer_.erase(0, position_);
    position_ = 0;
  }
  buffer_.append(bytes);
}

void MessageReader::reset_headers() {
  header_bytes_ = 0;
  any_header_ = false;
  has_length_ = false;
  content_length_ = 0;
}

ReadResult MessageReader::fail(std::string message) {
  reset_headers();
  state_ = State::kResynchronise;
  return {ReadResult::Kind::kError, std::move(message)};
}

ReadResult MessageReader::end_of_headers() {
  body_bytes_ = content_length_;
  reset_headers();
  if (body_bytes_ > max_body_bytes_) {
    state_ = State::kSkipBody;
    return {ReadResult::Kind::kError, "body of " + std::to_string(body_bytes_) +
                                          " bytes exceeds the limit of " +
                                          std::to_string(max_body_bytes_) + " bytes; skipped"};
  }
  state_ = State::kBody;
  return {ReadResult::Kind::kNeedMoreData, {}};
}

// Reads one non-empty header line; kNeedMoreData here means "go on reading".
ReadResult MessageReader::read_header_line(std::string_view line) {
  any_header_ = true;
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || trim(line.substr(0, colon)).empty())
    return fail("malformed header line " + quoted(line));
  // Content-Type only ever names utf-8 JSON-RPC; it and unknown headers are ignored.
  if (!equals_ignoring_case(trim(line.substr(0, colon)), "content-length")) return {};
  if (has_length_) return fail("duplicate Content-Length header");
  std::string problem = parse_length(trim(line.substr(colon + 1)), &content_length_);
  if (!problem.empty()) return fail(std::move(problem));
  has_length_ = true;
  return {};
}

ReadResult MessageReader::next() {
  constexpr auto kNeedMoreData = ReadResult::Kind::kNeedMoreData;
  for (;;) {
    std::string_view pending = std::string_view(buffer_).substr(position_);
    switch (state_) {
      case State::kHeaders: {
        std::size_t newline = pending.find('\n');
        if (newline == std::string_view::npos) {
          if (header_bytes_ + pending.size() <= kMaxHeaderBytes) return {};
          ++position_;  // so that resynchronising cannot land on this same header again
          return fail("header block longer than 64 KiB");
        }
        std::string_view line = pending.substr(0, newline);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        header_bytes_ += newline + 1;
        position_ += newline + 1;
        if (header_bytes_ > kMaxHeaderBytes) return fail("header block longer than 64 KiB");
        ReadResult result;
        if (!line.empty()) {
          result = read_header_line(line);
        } else if (!any_header_) {
          header_bytes_ = 0;  // a blank line between messages
        } else if (!has_length_) {
          result = fail("header block without Content-Length");
        } else {
          result = end_of_headers();
        }
        if (result.kind != kNeedMoreData) return result;
        break;
      }
      case State::kBody: {
        if (pending.size() < body_bytes_) return {};
        ReadResult result{ReadResult::Kind::kMessage, std::string(pending.substr(0, body_bytes_))};
        position_ += body_bytes_;
        state_ = State::kHeaders;
        return result;
      }
      case State::kSkipBody: {
        auto skipped = static_cast<std::size_t>(std::min<uint64_t>(pending.size(), body_bytes_));
        position_ += skipped;
        body_bytes_ -= skipped;
        if (body_bytes_ > 0) return {};
        state_ = State::kHeaders;
        break;
      }
      case State::kResynchronise: {
        std::size_t found = find_length_header(pending);
        if (found == std::string_view::npos) {
          // Keep a tail that may be the beginning of the header we are looking for.
          position_ += pending.size() - std::min(pending.size(), kLengthHeader.size() - 1);
          return {};
        }
        position_ += found;
        state_ = State::kHeaders;
        break;
      }
    }
  }
}

}  // namespace telinject::protocol
