// What every language shares.
#include "language.h"

namespace telinject {

std::vector<size_t> telemetry_to_remove(const std::vector<FunctionInfo>& functions,
                                        const std::vector<size_t>& selected, size_t* remaining) {
  std::vector<bool> chosen(functions.size(), selected.empty());
  for (size_t i : selected) chosen.at(i) = true;
  std::vector<size_t> out;
  *remaining = 0;
  for (size_t i = 0; i < functions.size(); ++i) {
    if (functions[i].state != FunctionState::kInstrumented) continue;
    if (chosen[i])
      out.push_back(i);
    else
      ++*remaining;
  }
  return out;
}

}  // namespace telinject
