#pragma once

#include <string>

namespace cx {

// The value of the sample line `series` (name with labels, exactly as exposed) in a Prometheus
// text exposition, or -1 when there is none.
inline double Sample(const std::string& text, const std::string& series) {
  size_t at = 0;
  while ((at = text.find(series + " ", at)) != std::string::npos) {
    if (at == 0 || text[at - 1] == '\n') {
      return std::stod(text.substr(at + series.size() + 1));
    }
    at += series.size();
  }
  return -1;
}

}  // namespace cx
