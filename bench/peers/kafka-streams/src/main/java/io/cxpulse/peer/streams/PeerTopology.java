package io.cxpulse.peer.streams;

import io.cxpulse.peer.rules.CustomerState;
import io.cxpulse.peer.rules.RulesConfig;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The peer's topology: the four co-partitioned input topics (keyed by customer_id) feed one
 * processor that owns the `customers` and `timers` stores; alerts, signals and dead letters go to
 * their sinks.
 */
public final class PeerTopology {
  private PeerTopology() {}

  public static final String[] INPUTS = {"cx.clicks", "cx.calls", "cx.chats", "cx.surveys"};

  public static Topology build(RulesConfig rules, PeerOptions options) {
    StoreBuilder<KeyValueStore<String, CustomerState>> customers = Stores
        .keyValueStoreBuilder(Stores.persistentKeyValueStore(RulesProcessor.CUSTOMERS),
            Serdes.String(), CustomerStateSerde.serde())
        .withCachingEnabled()
        .withLoggingEnabled(java.util.Map.of());
    StoreBuilder<KeyValueStore<String, String>> timers = Stores
        .keyValueStoreBuilder(Stores.persistentKeyValueStore(RulesProcessor.TIMERS),
            Serdes.String(), Serdes.String())
        .withCachingEnabled()
        .withLoggingEnabled(java.util.Map.of());
    ProcessorSupplier<String, byte[], String, byte[]> rulesSupplier =
        new ProcessorSupplier<>() {
          @Override
          public RulesProcessor get() {
            return new RulesProcessor(rules, options);
          }

          @Override
          public Set<StoreBuilder<?>> stores() {
            return Set.of(customers, timers);
          }
        };

    Topology topology = new Topology();
    String[] sources = new String[INPUTS.length];
    for (int i = 0; i < INPUTS.length; i++) {
      sources[i] = "source-" + INPUTS[i];
      topology.addSource(sources[i], Serdes.String().deserializer(),
          Serdes.ByteArray().deserializer(), options.topic(INPUTS[i]));
    }
    topology.addProcessor("rules", rulesSupplier, sources);
    topology.addSink(RulesProcessor.ALERTS_SINK, options.output("cx.alerts"),
        Serdes.String().serializer(), Serdes.ByteArray().serializer(), "rules");
    topology.addSink(RulesProcessor.SIGNALS_SINK, options.output("cx.signals"),
        Serdes.String().serializer(), Serdes.ByteArray().serializer(), "rules");
    topology.addSink(RulesProcessor.DEAD_LETTER_SINK, options.output("cx.deadletter"),
        Serdes.String().serializer(), Serdes.ByteArray().serializer(), "rules");
    return topology;
  }

  /** Streams configuration: the guarantee, commit interval and caching as cxpulse's defaults. */
  public static Properties properties(PeerOptions options) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, options.applicationId);
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrap);
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
        "at_least_once".equals(options.processing) ? StreamsConfig.AT_LEAST_ONCE
            : StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, options.threads);
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, options.commitIntervalMs);
    p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, options.cacheBytes);
    p.put(StreamsConfig.STATE_DIR_CONFIG, options.stateDir);
    p.put(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, options.maxTaskIdleMs);
    if ("tuned".equals(options.rocksdb)) {
      p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, TunedRocksDbConfig.class);
    }
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    return p;
  }
}
