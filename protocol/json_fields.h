// Reading and writing the fields of LSP structs: required fields throw when absent or of the
// wrong type (nlohmann exceptions, turned into InvalidParams by the dispatcher), optional fields
// are skipped when absent or null on input and omitted on output when unset.
// Included by the lsp_*.cpp files only; not part of the library's public API.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>

namespace telinject::lsp::fields {

/// Reads `json[key]` into `out`. Throws nlohmann::json::out_of_range when the key is absent and
/// nlohmann::json::type_error when the value does not convert.
template <class T>
void required(const nlohmann::json& json, const char* key, T& out) {
  json.at(key).get_to(out);
}

/// Reads `json[key]` into `out` when present and not null; leaves `out` as it was otherwise.
/// Throws nlohmann::json::type_error when a present value does not convert.
template <class T>
void optional(const nlohmann::json& json, const char* key, T& out) {
  auto it = json.find(key);
  if (it != json.end() && !it->is_null()) it->get_to(out);
}

/// Reads `json[key]` into `out` when present and not null; resets `out` otherwise.
template <class T>
void optional(const nlohmann::json& json, const char* key, std::optional<T>& out) {
  auto it = json.find(key);
  if (it == json.end() || it->is_null()) {
    out.reset();
    return;
  }
  out.emplace(it->get<T>());
}

/// Writes `json[key]` only when `value` holds something.
template <class T>
void write(nlohmann::json& json, const char* key, const std::optional<T>& value) {
  if (value) json[key] = *value;
}

}  // namespace telinject::lsp::fields
