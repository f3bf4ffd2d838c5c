#pragma once

#include <span>
#include <string_view>

namespace cx {

// One file of the outreach page (web/outreach/), embedded into the binary at build time by
// runtime/outreach_embed.cmake, so the binary serves the page with no files on disk.
struct OutreachAsset {
  std::string_view path;          // URL path: "/" for index.html, else "/app.js", ...
  std::string_view content_type;  // e.g. "text/html; charset=utf-8"
  std::string_view body;
};

// Every embedded file, in a fixed order.
[[nodiscard]] std::span<const OutreachAsset> OutreachAssets();
// The asset served at `path` ("/" and "/index.html" are the page), or null.
[[nodiscard]] const OutreachAsset* FindOutreachAsset(std::string_view path);

}  // namespace cx
