package io.cxpulse.peer.streams;

/** The peer's settings (command-line flags of PeerMain). */
public final class PeerOptions {
  public String bootstrap = "127.0.0.1:9092";
  public String applicationId = "cxpulse-peer";
  /** Input topics are inputPrefix + "cx.clicks", ...; outputs outputPrefix + "cx.alerts", .... */
  public String inputPrefix = "";
  public String outputPrefix = "";
  /** exactly_once_v2 or at_least_once. */
  public String processing = "exactly_once_v2";
  public String stateDir = "/tmp/cxpulse-peer";
  public int threads = 1;
  public long commitIntervalMs = 100;
  public long cacheBytes = 64L * 1024 * 1024;
  /** How often stream time fires due deadlines (punctuation interval, in stream time). */
  public long punctuateMs = 1000;
  /** A task with no record for this long moves its watermark to the wall clock; 0 = never. */
  public long idleWatermarkAfterMs = 5000;
  /** Events stamped further than this ahead of the wall clock are dead letters. */
  public long maxFutureMs = 3_600_000;
  /**
   * Kafka Streams' max.task.idle.ms: how long (wall clock) a task whose buffer of one input
   * partition is empty, and whose consumer saw no more data there at its last fetch, waits for
   * that partition before it processes the others' records anyway. 0 (Kafka Streams' default):
   * it does not wait, so a task that lags behind its consumer's fetch position can take records
   * out of timestamp order across its four partitions (README.md, "Time"); -1: never waits.
   */
  public long maxTaskIdleMs = 0;
  /** "default" (Kafka Streams' RocksDB settings) or "tuned" (TunedRocksDbConfig). */
  public String rocksdb = "default";

  public String topic(String name) {
    return inputPrefix + name;
  }

  public String output(String name) {
    return outputPrefix + name;
  }
}
