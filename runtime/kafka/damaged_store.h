#pragma once

#include <string>
#include <string_view>

namespace cx {

// A shard's local store is only a cache of its changelog partition: when RocksDB finds it
// corrupt (a truncated or missing SST file, a garbage MANIFEST or CURRENT, a bad block read
// while restoring), the live processor sets it aside and rebuilds it from the changelog instead
// of failing at every start.

// True when `store_error` (a StateStore message) reports corruption, not a lock, a full disk,
// a newer format or an I/O failure that a rebuild would hit again.
[[nodiscard]] bool IsDamagedStoreError(std::string_view store_error);

// True when `store_error` (a StateStore message) reports a store still open elsewhere: by another
// processing thread of this process (a shard handed between two threads while the one losing it
// has not yet noticed; it closes the store when it does) or by another process.
[[nodiscard]] bool IsLockedStoreError(std::string_view store_error);

// Moves the store directory `path` (".../shard-N") to ".../damaged-shard-N" beside it
// (replacing an older one: kept for a post-mortem, one at a time; not named shard-*, so that
// `cxpulse state get` skips it) and logs one warning line: which shard, why, where it went, that
// it is rebuilt from the changelog. Returns false with a reason in `error` when it cannot.
[[nodiscard]] bool SetAsideDamagedStore(const std::string& path, int partition,
                                        std::string_view why, std::string& error);

}  // namespace cx
