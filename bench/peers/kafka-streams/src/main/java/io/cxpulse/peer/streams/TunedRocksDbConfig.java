package io.cxpulse.peer.streams;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * The RocksDB settings the Kafka Streams memory-management docs recommend for many stores: one
 * block cache and one write-buffer budget shared by every store of the instance (the same budget
 * as cxpulse: 64 MiB block cache, 16 MiB write buffers), bloom filters, index and filter blocks
 * counted in the cache (with high priority, top-level index pinned), as in the docs'
 * BoundedMemoryRocksDBConfig example.
 */
public final class TunedRocksDbConfig implements RocksDBConfigSetter {
  private static final long BLOCK_CACHE = 64L * 1024 * 1024;
  private static final long WRITE_BUFFER = 16L * 1024 * 1024;
  private static final Cache CACHE = new LRUCache(BLOCK_CACHE, -1, false, 0.1);
  private static final WriteBufferManager WRITE_BUFFERS =
      new WriteBufferManager(2 * WRITE_BUFFER, CACHE);

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(CACHE);
    table.setCacheIndexAndFilterBlocks(true);
    table.setCacheIndexAndFilterBlocksWithHighPriority(true);
    table.setPinTopLevelIndexAndFilter(true);
    table.setFilterPolicy(new BloomFilter(10, false));
    options.setWriteBufferManager(WRITE_BUFFERS);
    options.setWriteBufferSize(WRITE_BUFFER);
    options.setMaxWriteBufferNumber(2);
    options.setTableFormatConfig(table);
  }

  @Override
  public void close(String storeName, Options options) {
    // The cache and the write-buffer manager are shared by every store: never closed here.
  }
}
