#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "schemas/time.h"

namespace cx {

// Binds the keys of one YAML mapping to plain struct fields, so config loaders read as a list
// of `section.Get("key", config.key)`. A missing key leaves the field at its default; a value of
// the wrong shape and, at Finish(), any key that was never asked for are recorded as errors
// with their full path ("rules.sla.call_target: ..."), as is a key given twice in one mapping
// (yaml-cpp keeps both; lookups would silently see only one). Durations are strings with a unit:
// "500ms", "20s", "5m", "72h", "7d".
class YamlSection {
 public:
  YamlSection(const YAML::Node& node, std::string path, std::vector<std::string>& errors);

  void Get(std::string_view key, Duration& out);
  void Get(std::string_view key, int64_t& out);
  void Get(std::string_view key, int& out);
  void Get(std::string_view key, uint64_t& out);
  void Get(std::string_view key, double& out);
  void Get(std::string_view key, bool& out);
  void Get(std::string_view key, std::string& out);
  void Get(std::string_view key, std::vector<std::string>& out);
  // A list of strings, or one string as a list of one.
  void GetOneOrMany(std::string_view key, std::vector<std::string>& out);
  // Sub-mapping `key` (an empty section when absent). Finish() it like this one.
  [[nodiscard]] YamlSection Section(std::string_view key);
  // Sequence `key` of mappings (empty when absent; an error when not a sequence), one section
  // per item, named "key[i]". Finish() each.
  [[nodiscard]] std::vector<YamlSection> Sections(std::string_view key);
  // Records every key of this mapping that no Get()/Section() asked for.
  void Finish();

  // Pass-through mappings (e.g. librdkafka properties): every scalar under `key` as strings.
  void GetStringMap(std::string_view key, std::vector<std::pair<std::string, std::string>>& out);

 private:
  [[nodiscard]] YAML::Node Find(std::string_view key);
  void Error(std::string_view key, std::string_view what);

  YAML::Node node_;
  std::string path_;
  std::vector<std::string>& errors_;
  std::vector<std::string> known_;
};

// Parses "500ms", "20s", "5m", "72h", "7d" (a non-negative integer and a unit). Returns false
// for anything else.
[[nodiscard]] bool ParseDuration(std::string_view text, Duration& out);

}  // namespace cx
