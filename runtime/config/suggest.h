#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cx {

// Edit distance: insertions, deletions, substitutions and swaps of two adjacent bytes count one
// each (optimal string alignment).
[[nodiscard]] size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is a likely misspelling (at most max(2, a third of the
// word's length) edits away and fewer than half its length), else the first candidate that
// begins with `word` (3 or more characters); empty when none is. Ties go to the earlier
// candidate. Used for "did you mean --input?".
[[nodiscard]] std::string ClosestName(std::string_view word,
                                      const std::vector<std::string>& candidates);

// "; did you mean X?" for ClosestName(word, candidates), or "" when there is no close one.
[[nodiscard]] std::string DidYouMean(std::string_view word,
                                     const std::vector<std::string>& candidates);

}  // namespace cx
