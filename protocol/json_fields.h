// Reading and writing the fields of LSP structs: required fields throw when absent or of the
// wrong type (nlohmann exceptions or std::invalid_argument, turned into InvalidParams by the
// dispatcher's binder), optional fields
// are skipped when absent or null on input and omitted on output when unset.
// Included by the lsp_*.cpp files only; not part of the library's public API.
#pragma once

#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace telinject::lsp::fields {

/// Converts `json` into `out`. Integers and enums must be JSON integers that fit the type
/// exactly: nlohmann would truncate 1.5 to 1 and wrap 2^64 to 0, and such a value is a
/// client's mistake, not a position or a version. Throws std::invalid_argument for those,
/// nlohmann::json::type_error for other mismatches.
template <class T>
void read(const nlohmann::json& json, T& out) {
  if constexpr (std::is_enum_v<T>) {
    std::underlying_type_t<T> number{};
    read(json, number);
    out = static_cast<T>(number);
  } else if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    bool fits = false;
    if (json.is_number_unsigned()) {
      fits = json.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<T>::max());
    } else if (json.is_number_integer()) {
      auto value = json.get<int64_t>();
      fits = value >= static_cast<int64_t>(std::numeric_limits<T>::min()) &&
             (value < 0 ||
              static_cast<uint64_t>(value) <= static_cast<uint64_t>(std::numeric_limits<T>::max()));
    }
    if (!fits)
      throw std::invalid_argument(
          "expected an integer in range, got " +
          json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    out = json.get<T>();
  } else {
    json.get_to(out);
  }
}

/// Reads `json[key]` into `out`. Throws nlohmann::json::out_of_range when the key is absent,
/// nlohmann::json::type_error or std::invalid_argument when the value does not convert.
template <class T>
void required(const nlohmann::json& json, const char* key, T& out) {
  try {
    read(json.at(key), out);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string(key) + ": " + e.what());
  }
}

/// Reads `json[key]` into `out` when present and not null; leaves `out` as it was otherwise.
/// Throws nlohmann::json::type_error when a present value does not convert.
template <class T>
void optional(const nlohmann::json& json, const char* key, T& out) {
  auto it = json.find(key);
  if (it != json.end() && !it->is_null()) read(*it, out);
}

/// Reads `json[key]` into `out` when present and not null; resets `out` otherwise.
template <class T>
void optional(const nlohmann::json& json, const char* key, std::optional<T>& out) {
  auto it = json.find(key);
  if (it == json.end() || it->is_null()) {
    out.reset();
    return;
  }
  T value{};
  read(*it, value);
  out.emplace(std::move(value));
}

/// Writes `json[key]` only when `value` holds something.
template <class T>
void write(nlohmann::json& json, const char* key, const std::optional<T>& value) {
  if (value) json[key] = *value;
}

}  // namespace telinject::lsp::fields
