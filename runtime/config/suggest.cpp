#include "runtime/config/suggest.h"

#include <algorithm>
#include <numeric>
#include <utility>

namespace cx {

size_t EditDistance(std::string_view a, std::string_view b) {
  // Optimal string alignment: rows i-2, i-1 and i of the distance matrix.
  std::vector<size_t> before(b.size() + 1);
  std::vector<size_t> previous(b.size() + 1);
  std::vector<size_t> row(b.size() + 1);
  std::iota(previous.begin(), previous.end(), size_t{0});
  for (size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({previous[j] + 1, row[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        row[j] = std::min(row[j], before[j - 2] + 1);
      }
    }
    std::swap(before, previous);
    std::swap(previous, row);
  }
  return previous[b.size()];
}

std::string ClosestName(std::string_view word, const std::vector<std::string>& candidates) {
  if (word.empty()) {
    return {};
  }
  // At most a third of the word (at least 2) and never half of it or more: "x" is no typo of "q".
  const size_t allowed = std::max<size_t>(2, word.size() / 3);
  std::string best;
  size_t best_distance = allowed + 1;
  for (const std::string& candidate : candidates) {
    size_t distance = EditDistance(word, candidate);
    if (distance < best_distance && distance * 2 < word.size()) {
      best = candidate;
      best_distance = distance;
    }
  }
  if (best.empty()) {
    for (const std::string& candidate : candidates) {
      if (word.size() >= 3 && candidate.rfind(word, 0) == 0) {
        return candidate;
      }
    }
  }
  return best;
}

std::string DidYouMean(std::string_view word, const std::vector<std::string>& candidates) {
  std::string closest = ClosestName(word, candidates);
  return closest.empty() ? std::string() : "; did you mean " + closest + "?";
}

}  // namespace cx
