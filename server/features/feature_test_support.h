// What the features' tests share: a Python document in a folder of its own.
#pragma once

#include <memory>
#include <string>

#include "document.h"
#include "features/edits.h"
#include "test_support.h"

namespace telinject::server::testing {

inline constexpr const char* kShapes =
    "import math\n"
    "\n"
    "\n"
    "def area(radius):\n"
    "    return math.pi * radius ** 2\n"
    "\n"
    "\n"
    "class Shape:\n"
    "    def scale(self, factor):  # telinject: ignore\n"
    "        return factor\n"
    "\n"
    "    def name(self):\n"
    "        label = \"shape\"\n"
    "        return label\n";

/// `text` as the open document shapes.py in `root`, analysed at once for `settings`.
inline std::shared_ptr<const DocumentSnapshot> shapes_document(const std::filesystem::path& root,
                                                               const ServerSettings& settings,
                                                               std::string text = kShapes) {
  return make_snapshot(uri_from_path(root / "shapes.py"), 1, std::move(text), root, {}, &settings);
}

/// `document` with every function instrumented, as a new snapshot (version 2).
inline std::shared_ptr<const DocumentSnapshot> instrumented(const DocumentSnapshot& document,
                                                            const ServerSettings& settings) {
  TextResult result = transform_document(document, Action::kInstrument, nullptr, settings, nullptr);
  return make_snapshot(document.uri, 2, result.output, document.root, {}, &settings);
}

}  // namespace telinject::server::testing
