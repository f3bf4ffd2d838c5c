#include "runtime/config/yaml_section.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <utility>

#include "runtime/config/suggest.h"

namespace cx {

bool ParseDuration(std::string_view text, Duration& out) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data() || value < 0) {
    return false;
  }
  std::string_view unit(end, text.data() + text.size() - end);
  int64_t scale = 0;
  if (unit == "ms") {
    scale = 1;
  } else if (unit == "s") {
    scale = 1000;
  } else if (unit == "m") {
    scale = 60'000;
  } else if (unit == "h") {
    scale = 3'600'000;
  } else if (unit == "d") {
    scale = 86'400'000;
  } else {
    return false;
  }
  if (value > INT64_MAX / 4 / scale) {
    return false;
  }
  out = Duration::Millis(value * scale);
  return true;
}

YamlSection::YamlSection(const YAML::Node& node, std::string path, std::vector<std::string>& errors)
    : node_(node), path_(std::move(path)), errors_(errors) {
  if (node_.IsDefined() && !node_.IsNull() && !node_.IsMap()) {
    errors_.push_back((path_.empty() ? std::string("top level") : path_) +
                      ": expected a mapping of keys");
    node_ = YAML::Node();
  }
}

YAML::Node YamlSection::Find(std::string_view key) {
  known_.emplace_back(key);
  if (!node_.IsMap()) {
    return YAML::Node();
  }
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) {
      return it->second;
    }
  }
  return YAML::Node();
}

void YamlSection::Error(std::string_view key, std::string_view what) {
  std::string full = path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  errors_.push_back(full + ": " + std::string(what));
}

void YamlSection::Get(std::string_view key, Duration& out) {
  YAML::Node v = Find(key);
  if (!v.IsDefined() || v.IsNull()) {
    return;
  }
  if (!v.IsScalar() || !ParseDuration(v.Scalar(), out)) {
    Error(key, "expected a duration such as 500ms, 20s, 5m, 72h or 7d");
  }
}

void YamlSection::Get(std::string_view key, int64_t& out) {
  YAML::Node v = Find(key);
  if (!v.IsDefined() || v.IsNull()) {
    return;
  }
  int64_t value = 0;
  const std::string& s = v.IsScalar() ? v.Scalar() : std::string();
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) {
    Error(key, "expected an integer");
    return;
  }
  out = value;
}

void YamlSection::Get(std::string_view key, int& out) {
  int64_t value = out;
  size_t before = errors_.size();
  Get(key, value);
  if (errors_.size() != before) {
    return;
  }
  if (value < INT32_MIN || value > INT32_MAX) {
    Error(key, "integer out of range");
    return;
  }
  out = static_cast<int>(value);
}

void YamlSection::Get(std::string_view key, uint64_t& out) {
  int64_t value = static_cast<int64_t>(out);
  size_t before = errors_.size();
  Get(key, value);
  if (errors_.size() != before) {
    return;
  }
  if (value < 0) {
    Error(key, "expected a non-negative integer");
    return;
  }
  out = static_cast<uint64_t>(value);
}

void YamlSection::Get(std::string_view key, double& out) {
  YAML::Node v = Find(key);
  if (!v.IsDefined() || v.IsNull()) {
    return;
  }
  double value = 0;
  if (!v.IsScalar() || !YAML::convert<double>::decode(v, value) || !std::isfinite(value)) {
    Error(key, "expected a number");
    return;
  }
  out = value;
}

void YamlSection::Get(std::string_view key, bool& out) {
  YAML::Node v = Find(key);
  if (!v.IsDefined() || v.IsNull()) {
    return;
  }
  bool value = false;
  if (!v.IsScalar() || !YAML::convert<bool>::decode(v, value)) {
    Error(key, "expected true or false");
    return;
  }
  out = value;
}

void YamlSection::Get(std::string_view key, std::string& out) {
  YAML::Node v = Find(key);
  if (!v.IsDefined() || v.IsNull()) {
    return;
  }
  if (!v.IsScalar()) {
    Error(key, "expected a string");
    return;
  }
  out = v.Scalar();
}

void YamlSection::Get(std::string_view key, std::vector<std::string>& out) {
  YAML::Node v = Find(key);
  if (!v.IsDefined() || v.IsNull()) {
    return;
  }
  if (!v.IsSequence()) {
    Error(key, "expected a list of strings");
    return;
  }
  std::vector<std::string> values;
  for (const YAML::Node& item : v) {
    if (!item.IsScalar()) {
      Error(key, "expected a list of strings");
      return;
    }
    values.push_back(item.Scalar());
  }
  out = std::move(values);
}

void YamlSection::GetOneOrMany(std::string_view key, std::vector<std::string>& out) {
  YAML::Node v = Find(key);
  if (v.IsDefined() && v.IsScalar()) {
    out = {v.Scalar()};
    return;
  }
  Get(key, out);
}

void YamlSection::GetStringMap(std::string_view key,
                               std::vector<std::pair<std::string, std::string>>& out) {
  YAML::Node v = Find(key);
  if (!v.IsDefined() || v.IsNull()) {
    return;
  }
  if (!v.IsMap()) {
    Error(key, "expected a mapping of property names to values");
    return;
  }
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (!it->first.IsScalar() || !it->second.IsScalar()) {
      Error(key, "expected scalar property values");
      return;
    }
    for (const auto& [name, value] : out) {
      if (name == it->first.Scalar()) {
        Error(std::string(key) + "." + name, "duplicate key (given more than once)");
      }
    }
    out.emplace_back(it->first.Scalar(), it->second.Scalar());
  }
}

YamlSection YamlSection::Section(std::string_view key) {
  YAML::Node v = Find(key);
  std::string path = path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  return YamlSection(v, std::move(path), errors_);
}

std::vector<YamlSection> YamlSection::Sections(std::string_view key) {
  YAML::Node v = Find(key);
  std::vector<YamlSection> items;
  if (!v.IsDefined() || v.IsNull()) {
    return items;
  }
  if (!v.IsSequence()) {
    Error(key, "expected a list");
    return items;
  }
  std::string path = path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  for (size_t i = 0; i < v.size(); ++i) {
    items.emplace_back(v[i], path + "[" + std::to_string(i) + "]", errors_);
  }
  return items;
}

void YamlSection::Finish() {
  if (!node_.IsMap()) {
    return;
  }
  std::vector<std::string> seen;
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    std::string key = it->first.IsScalar() ? it->first.Scalar() : std::string("<non-scalar>");
    std::string full = path_.empty() ? key : path_ + "." + key;
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      errors_.push_back(full + ": duplicate key (given more than once)");
      continue;
    }
    seen.push_back(key);
    if (std::find(known_.begin(), known_.end(), key) == known_.end()) {
      errors_.push_back(full + ": unknown key" + DidYouMean(key, known_));
    }
  }
}

}  // namespace cx
