package io.cxpulse.peer;

import io.cxpulse.peer.rules.RulesConfig;
import io.cxpulse.peer.streams.PeerOptions;
import io.cxpulse.peer.streams.PeerTopology;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;

/**
 * The Kafka Streams peer of cxpulse: `java -jar cxpulse-streams-peer.jar --bootstrap HOST:PORT
 * [flags]` (see bench/peers/kafka-streams/README.md). Exit 0 after SIGTERM, 1 when the stream
 * threads died, 2 on bad flags.
 */
public final class PeerMain {
  private PeerMain() {}

  private static final String USAGE = "usage: cxpulse-streams-peer --bootstrap HOST:PORT"
      + " [--application-id ID] [--input-prefix P] [--output-prefix P]"
      + " [--processing exactly_once_v2|at_least_once] [--state-dir DIR] [--threads N]"
      + " [--commit-interval-ms MS] [--cache-mb MB] [--punctuate-ms MS]"
      + " [--idle-watermark-after-ms MS] [--max-future-ms MS] [--rocksdb default|tuned]"
      + " [--max-task-idle-ms MS]";

  static PeerOptions parse(String[] args) {
    PeerOptions o = new PeerOptions();
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length) throw new IllegalArgumentException("missing value for " + args[i]);
      String v = args[i + 1];
      switch (args[i]) {
        case "--bootstrap" -> o.bootstrap = v;
        case "--application-id" -> o.applicationId = v;
        case "--input-prefix" -> o.inputPrefix = v;
        case "--output-prefix" -> o.outputPrefix = v;
        case "--processing" -> {
          if (!v.equals("exactly_once_v2") && !v.equals("at_least_once")) {
            throw new IllegalArgumentException("--processing must be exactly_once_v2 or at_least_once");
          }
          o.processing = v;
        }
        case "--state-dir" -> o.stateDir = v;
        case "--threads" -> o.threads = Integer.parseInt(v);
        case "--commit-interval-ms" -> o.commitIntervalMs = Long.parseLong(v);
        case "--cache-mb" -> o.cacheBytes = Long.parseLong(v) * 1024 * 1024;
        case "--punctuate-ms" -> o.punctuateMs = Long.parseLong(v);
        case "--idle-watermark-after-ms" -> o.idleWatermarkAfterMs = Long.parseLong(v);
        case "--max-future-ms" -> o.maxFutureMs = Long.parseLong(v);
        case "--max-task-idle-ms" -> o.maxTaskIdleMs = Long.parseLong(v);
        case "--rocksdb" -> {
          if (!v.equals("default") && !v.equals("tuned")) {
            throw new IllegalArgumentException("--rocksdb must be default or tuned");
          }
          o.rocksdb = v;
        }
        default -> throw new IllegalArgumentException("unknown flag " + args[i]);
      }
    }
    if (o.maxTaskIdleMs < -1) {
      throw new IllegalArgumentException("--max-task-idle-ms must be >= -1");
    }
    if (o.threads < 1 || o.punctuateMs < 1 || o.commitIntervalMs < 1) {
      throw new IllegalArgumentException("--threads, --punctuate-ms, --commit-interval-ms must be >= 1");
    }
    return o;
  }

  public static void main(String[] args) throws InterruptedException {
    PeerOptions options;
    try {
      options = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("cxpulse-streams-peer: " + e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    KafkaStreams streams = new KafkaStreams(
        PeerTopology.build(new RulesConfig(), options), PeerTopology.properties(options));
    CountDownLatch done = new CountDownLatch(1);
    int[] exit = {0};
    streams.setUncaughtExceptionHandler(e -> {
      System.err.println("cxpulse-streams-peer: stream thread failed: " + e);
      exit[0] = 1;
      done.countDown();
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    streams.setStateListener((next, previous) -> {
      System.err.println("cxpulse-streams-peer: state " + previous + " -> " + next);
      if (next == KafkaStreams.State.ERROR) {
        exit[0] = 1;
        done.countDown();
      }
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      done.countDown();
      streams.close(Duration.ofSeconds(30));
    }));
    streams.start();
    done.await();
    streams.close(Duration.ofSeconds(30));
    System.exit(exit[0]);
  }
}
