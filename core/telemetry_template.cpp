#include "telemetry_template.h"

namespace telinject {

std::string LanguageTemplate::marker() const {
  std::string marker = header.substr(0, header.find('{'));
  if (!generator_header.empty()) {
    // Both headers must be recognised: keep their common fixed prefix.
    std::string other = generator_header.substr(0, generator_header.find('{'));
    size_t common = 0;
    while (common < marker.size() && common < other.size() && marker[common] == other[common])
      ++common;
    marker.resize(common);
  }
  return marker;
}

std::string LanguageTemplate::fingerprint() const {
  std::string out = profile + '\0' + import_line + '\0' + header + '\0' + generator_header + '\0' +
                    (needs_runtime ? "1" : "0");
  // Appended only when used, so the keys of templates without them stay as they were.
  if (!footer.empty() || !require_line.empty()) out += '\0' + footer + '\0' + require_line;
  if (!generator_footer.empty()) out += '\0' + generator_footer;
  return out;
}

std::string render_template(const std::string& pattern,
                            const std::map<std::string, std::string>& values) {
  std::string out;
  out.reserve(pattern.size() + 32);
  for (size_t i = 0; i < pattern.size();) {
    if (pattern[i] == '{') {
      size_t close = pattern.find('}', i);
      if (close != std::string::npos) {
        auto it = values.find(pattern.substr(i + 1, close - i - 1));
        if (it != values.end()) {
          out += it->second;
          i = close + 1;
          continue;
        }
      }
    }
    out.push_back(pattern[i++]);
  }
  return out;
}

}  // namespace telinject
