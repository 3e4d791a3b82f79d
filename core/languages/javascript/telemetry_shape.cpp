#include "javascript/telemetry_shape.h"

namespace telinject::javascript {
namespace {

constexpr char kHole = '\x01';
constexpr char kOptional = '\x02';  // a word that may be there or not ({async}, {await})

bool is_word(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
         static_cast<unsigned char>(c) >= 0x80;
}

bool is_closing(const std::string& token) { return token == ")" || token == "]" || token == "}"; }

// The pattern rendered with every placeholder a hole.
std::string with_holes(const std::string& pattern) {
  const std::string hole(1, kHole);
  const std::string optional(1, kOptional);
  return render_template(pattern, {{"name", "\"" + hole + "\""},
                                   {"qualname", hole},
                                   {"kind", hole},
                                   {"runtime", hole},
                                   {"file", "\"" + hole + "\""},
                                   {"line", hole},
                                   {"async", " " + optional + " "},
                                   {"await", " " + optional + " "}});
}

bool token_matches(const std::string& pattern, const std::string& token) {
  return pattern == token || pattern.find(kHole) != std::string::npos;
}

bool is_optional(const std::string& pattern) {
  return pattern.size() == 1 && pattern[0] == kOptional;
}

// `tokens` from `t` on against `pattern` from `p` on, an optional word taken or skipped.
bool tokens_match(const std::vector<std::string>& pattern, size_t p,
                  const std::vector<std::string>& tokens, size_t t) {
  for (; p < pattern.size(); ++p, ++t) {
    if (is_optional(pattern[p])) {
      if (t < tokens.size() && (tokens[t] == "async" || tokens[t] == "await") &&
          tokens_match(pattern, p + 1, tokens, t + 1))
        return true;
      --t;  // skipped: the next pattern token looks at this one
      continue;
    }
    if (t >= tokens.size() || !token_matches(pattern[p], tokens[t])) return false;
  }
  return t == tokens.size();
}

}  // namespace

std::vector<std::string> shape_tokens(std::string_view text, bool* has_comment) {
  std::vector<std::string> tokens;
  if (has_comment) *has_comment = false;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
    } else if (c == '/' && i + 1 < text.size() && (text[i + 1] == '/' || text[i + 1] == '*')) {
      if (has_comment) *has_comment = true;
      size_t end = text[i + 1] == '/' ? text.find('\n', i) : text.find("*/", i + 2);
      i = end == std::string_view::npos ? text.size() : end + (text[i + 1] == '/' ? 0 : 2);
    } else if (c == '"' || c == '\'' || c == '`') {
      std::string token = "\"";
      size_t k = i + 1;
      for (; k < text.size() && text[k] != c; ++k) {
        if (text[k] == '\\' && k + 1 < text.size()) {
          char next = text[++k];
          // The escapes of quotes are the ones formatters add or drop when they change quotes.
          if (next != '"' && next != '\'' && next != '`') token.push_back('\\');
          token.push_back(next);
        } else {
          token.push_back(text[k]);
        }
      }
      tokens.push_back(token + "\"");
      i = k + 1;
    } else if (is_word(c)) {
      size_t k = i;
      while (k < text.size() && is_word(text[k])) ++k;
      tokens.emplace_back(text.substr(i, k - i));
      i = k;
    } else {
      if (c != ';') tokens.emplace_back(1, c);
      ++i;
    }
  }
  std::vector<std::string> out;
  out.reserve(tokens.size());
  for (size_t k = 0; k < tokens.size(); ++k) {
    if (tokens[k] == "," && k + 1 < tokens.size() && is_closing(tokens[k + 1])) continue;
    if (tokens[k] == "," && k + 1 == tokens.size()) continue;
    out.push_back(std::move(tokens[k]));
  }
  return out;
}

TemplateShape::TemplateShape(const std::string& pattern)
    : tokens_(shape_tokens(with_holes(pattern))) {}

bool TemplateShape::matches(std::string_view text) const {
  // Template pieces are short; a formatter does not make them this long.
  if (tokens_.empty() || text.size() > 4096) return false;
  bool comment = false;
  std::vector<std::string> tokens = shape_tokens(text, &comment);
  return !comment && tokens_match(tokens_, 0, tokens, 0);
}

bool TemplateShape::starts(std::string_view text) const {
  if (tokens_.empty()) return false;
  // The marker is short: its tokens lie in the statement's first few hundred bytes. Most
  // statements do not hold its second token (the span variable) at all: not tokenized.
  text = text.substr(0, 600);
  if (tokens_.size() > 1 && tokens_[1][0] != '"' && tokens_[1].find(kHole) == std::string::npos &&
      text.find(tokens_[1]) == std::string_view::npos)
    return false;
  std::vector<std::string> tokens = shape_tokens(text);
  if (tokens.size() < tokens_.size()) return false;
  for (size_t i = 0; i + 1 < tokens_.size(); ++i)
    if (!token_matches(tokens_[i], tokens[i])) return false;
  const std::string& last = tokens_.back();
  const std::string& token = tokens[tokens_.size() - 1];
  return token_matches(last, token) || token.compare(0, last.size(), last) == 0;
}

std::string header_declaration(const std::string& header) {
  size_t end = header.find_last_not_of(" \t");
  if (end != std::string::npos && header[end] == '{') {
    size_t keyword = header.find_last_not_of(" \t", end - 1);
    if (keyword != std::string::npos && keyword >= 2 && header.compare(keyword - 2, 3, "try") == 0)
      return header.substr(0, keyword - 2);
  }
  // A header that goes on inside the try block (a callback around the body).
  size_t wrapped = header.find("; try { ");
  if (wrapped != std::string::npos) return header.substr(0, wrapped + 2);
  return header;
}

std::string header_tail(const std::string& header) {
  std::string declaration = header_declaration(header);
  size_t end = declaration.find_last_not_of(" \t");
  return header.substr(end == std::string::npos ? 0 : end + 1);
}

TelemetryShapes::TelemetryShapes(const LanguageTemplate& tmpl)
    : marker(tmpl.marker()),
      declaration(header_declaration(tmpl.header)),
      generator_declaration(tmpl.generator_header.empty()
                                ? TemplateShape()
                                : TemplateShape(header_declaration(tmpl.generator_header))),
      head(header_tail(tmpl.header)),
      generator_head(tmpl.generator_header.empty()
                         ? TemplateShape()
                         : TemplateShape(header_tail(tmpl.generator_header))),
      footer(tmpl.footer),
      generator_footer(tmpl.generator_footer.empty() ? TemplateShape()
                                                     : TemplateShape(tmpl.generator_footer)),
      import_statement(tmpl.import_line),
      require_statement(tmpl.require_line) {}

}  // namespace telinject::javascript
