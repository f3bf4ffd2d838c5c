// Decode-only throughput on one core, from the same JSON Lines file as the replay benchmark:
//   lines     splitting the file into lines (the I/O floor)
//   simdjson  simdjson on-demand alone, extracting the fields the decoder reads (the physical
//             limit of the JSON work: no validation of unknown fields, no SPEC rules)
//   decoder   cx::Decoder::Decode (copies each line into its padded buffer), full validation
//   padded    cx::Decoder::DecodePadded straight from the read buffer, full validation
// Usage: simdjson_baseline FILE [PASS...]   (default: every pass, in the order above)
#include <simdjson.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "bench/padded_lines.h"
#include "schemas/decoder.h"

namespace cx {
namespace {

namespace od = simdjson::ondemand;

struct PassResult {
  uint64_t lines = 0;
  uint64_t ok = 0;
  uint64_t bytes = 0;
  uint64_t checksum = 0;
  double seconds = 0;
};

uint64_t Mix(std::string_view s) { return s.size() + (s.empty() ? 0 : uint8_t(s.back())); }

// One on-demand pass over the object: the string fields by name, the integer fields by name.
bool ExtractWithSimdjson(od::parser& parser, std::string_view line, uint64_t& checksum) {
  od::document doc;
  if (parser.iterate(line.data(), line.size(), line.size() + PaddedLines::kPadding).get(doc)) {
    return false;
  }
  od::object object;
  if (doc.get_object().get(object)) return false;
  for (auto maybe_field : object) {
    od::field field;
    if (std::move(maybe_field).get(field)) return false;
    std::string_view key;
    if (field.unescaped_key().get(key)) return false;
    if (key == "event_id" || key == "customer_id" || key == "type" || key == "action" ||
        key == "ts" || key == "tier" || key == "channel" || key == "page" || key == "element" ||
        key == "session_id" || key == "query" || key == "contact_id" || key == "queue" ||
        key == "reason" || key == "agent_id" || key == "author" || key == "survey") {
      std::string_view value;
      if (field.value().get_string().get(value)) return false;
      checksum += Mix(value);
    } else if (key == "results" || key == "status" || key == "hold_ms" || key == "score") {
      int64_t value = 0;
      if (field.value().get_int64().get(value)) return false;
      checksum += static_cast<uint64_t>(value);
    } else if (key == "resolved") {
      bool value = false;
      if (field.value().get_bool().get(value)) return false;
      checksum += value ? 1 : 0;
    }
  }
  return true;
}

uint64_t Mix(const Event& event) {
  return Mix(event.event_id) + Mix(event.customer_id) + static_cast<uint64_t>(event.ts.ms) +
         static_cast<uint64_t>(event.action);
}

template <typename PerLine>
bool RunPass(const std::string& path, PassResult& result, PerLine&& per_line) {
  std::string error;
  std::unique_ptr<PaddedLines> lines = PaddedLines::Open(path, error);
  if (lines == nullptr) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return false;
  }
  const auto started = std::chrono::steady_clock::now();
  std::string_view line;
  while (lines->Next(line)) {
    ++result.lines;
    if (per_line(line, result.checksum)) ++result.ok;
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  result.bytes = lines->bytes_read();
  return true;
}

int Main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE [lines|simdjson|decoder|padded]...\n", argv[0]);
    return 2;
  }
  const std::string path = argv[1];
  std::vector<std::string> passes(argv + 2, argv + argc);
  if (passes.empty()) passes = {"lines", "simdjson", "decoder", "padded"};

  od::parser parser;
  Decoder decoder;
  Event event;
  DecodeFailure why;
  double simdjson_rate = 0;
  std::printf("%-9s %12s %12s %10s %14s %9s %s\n", "pass", "lines", "ok", "seconds", "lines/s",
              "MB/s", "vs simdjson");
  for (const std::string& pass : passes) {
    PassResult r;
    bool ran = false;
    if (pass == "lines") {
      ran = RunPass(path, r, [](std::string_view line, uint64_t& sum) {
        sum += Mix(line);
        return true;
      });
    } else if (pass == "simdjson") {
      ran = RunPass(path, r, [&](std::string_view line, uint64_t& sum) {
        return ExtractWithSimdjson(parser, line, sum);
      });
    } else if (pass == "decoder" || pass == "padded") {
      const bool padded = pass == "padded";
      ran = RunPass(path, r, [&](std::string_view line, uint64_t& sum) {
        const DecodeError e = padded ? decoder.DecodePadded(line, EventTime::Max(), event, why)
                                     : decoder.Decode(line, EventTime::Max(), event, why);
        if (e != DecodeError::kOk) return false;
        sum += Mix(event);
        return true;
      });
    } else {
      std::fprintf(stderr, "unknown pass %s\n", pass.c_str());
      return 2;
    }
    if (!ran) return 1;
    const double rate = r.lines / r.seconds;
    if (pass == "simdjson") simdjson_rate = rate;
    std::string ratio = simdjson_rate > 0 ? std::to_string(rate / simdjson_rate) : "-";
    std::printf("%-9s %12llu %12llu %10.3f %14.0f %9.1f %s   (checksum %llu)\n", pass.c_str(),
                static_cast<unsigned long long>(r.lines), static_cast<unsigned long long>(r.ok),
                r.seconds, rate, r.bytes / r.seconds / 1e6, ratio.c_str(),
                static_cast<unsigned long long>(r.checksum));
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace cx

int main(int argc, char** argv) { return cx::Main(argc, argv); }
