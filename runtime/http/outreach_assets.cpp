#include "runtime/http/outreach_assets.h"

#include <cstddef>

namespace cx {

// Defined in the generated outreach_assets_data.cpp (runtime/outreach_embed.cmake).
extern const OutreachAsset kOutreachAssetTable[];
extern const size_t kOutreachAssetCount;

std::span<const OutreachAsset> OutreachAssets() {
  return {kOutreachAssetTable, kOutreachAssetCount};
}

const OutreachAsset* FindOutreachAsset(std::string_view path) {
  if (path == "/index.html") path = "/";
  for (const OutreachAsset& asset : OutreachAssets()) {
    if (asset.path == path) return &asset;
  }
  return nullptr;
}

}  // namespace cx
