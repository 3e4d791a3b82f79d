#pragma once
namespace telinject {
/// telinject's version; part of every cache key, so a new version never reuses old scripts.
inline constexpr const char* kVersion = "0.1.0";
}  // namespace telinject
