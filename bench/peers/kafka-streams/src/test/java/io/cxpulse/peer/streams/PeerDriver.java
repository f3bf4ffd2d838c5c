package io.cxpulse.peer.streams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cxpulse.peer.json.Rfc3339;
import io.cxpulse.peer.rules.RulesConfig;
import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;

/**
 * The peer's topology in a TopologyTestDriver (one task, no broker): lines go to the topic of
 * their `type` with the event time as record timestamp, as tests/integration/produce_jsonl.py
 * produces them. Also a command-line tool: `PeerDriver INPUT.jsonl ALERTS_OUT.jsonl`.
 */
public final class PeerDriver implements Closeable {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Map<String, String> TOPICS =
      Map.of("click", "cx.clicks", "call", "cx.calls", "chat", "cx.chats", "survey", "cx.surveys");

  private final TopologyTestDriver driver;
  private final Map<String, TestInputTopic<String, byte[]>> inputs = new HashMap<>();
  private final TestOutputTopic<String, byte[]> alerts;
  private final TestOutputTopic<String, byte[]> signals;
  private final TestOutputTopic<String, byte[]> deadLetters;
  private long lastTs;

  public PeerDriver(Path stateDir) {
    PeerOptions options = new PeerOptions();
    options.stateDir = stateDir.toString();
    options.idleWatermarkAfterMs = 0;
    options.maxFutureMs = 3_600_000;
    Properties props = PeerTopology.properties(options);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
    driver = new TopologyTestDriver(PeerTopology.build(new RulesConfig(), options), props);
    for (String topic : PeerTopology.INPUTS) {
      inputs.put(topic, driver.createInputTopic(topic, Serdes.String().serializer(),
          Serdes.ByteArray().serializer()));
    }
    alerts = driver.createOutputTopic("cx.alerts", Serdes.String().deserializer(),
        Serdes.ByteArray().deserializer());
    signals = driver.createOutputTopic("cx.signals", Serdes.String().deserializer(),
        Serdes.ByteArray().deserializer());
    deadLetters = driver.createOutputTopic("cx.deadletter", Serdes.String().deserializer(),
        Serdes.ByteArray().deserializer());
  }

  /** Pipes one line: topic by `type`, key customer_id, timestamp its ts (else the last one). */
  public void pipe(String line) {
    String topic = "cx.clicks";
    String key = null;
    try {
      JsonNode node = MAPPER.readTree(line);
      if (node != null && node.isObject()) {
        topic = TOPICS.getOrDefault(node.path("type").asText(""), "cx.clicks");
        if (node.path("customer_id").isTextual()) key = node.get("customer_id").asText();
        JsonNode ts = node.get("ts");
        long ms = ts == null ? Long.MIN_VALUE
            : ts.isIntegralNumber() ? ts.asLong() : ts.isTextual() ? Rfc3339.parse(ts.asText())
            : Long.MIN_VALUE;
        if (ms > 0 && ms < System.currentTimeMillis() + 3_600_000) lastTs = ms;
      }
    } catch (java.io.IOException e) {
      // not JSON: cx.clicks without a key, the last timestamp
    }
    inputs.get(topic).pipeInput(key, line.getBytes(StandardCharsets.UTF_8), lastTs);
  }

  public List<String> alerts() {
    return drain(alerts);
  }

  public List<String> signals() {
    return drain(signals);
  }

  public List<String> deadLetters() {
    return drain(deadLetters);
  }

  private static List<String> drain(TestOutputTopic<String, byte[]> topic) {
    List<String> out = new ArrayList<>();
    for (byte[] v : topic.readValuesToList()) out.add(new String(v, StandardCharsets.UTF_8));
    return out;
  }

  @Override
  public void close() {
    driver.close();
  }

  public static void main(String[] args) throws Exception {
    Path state = Files.createTempDirectory("peer-driver");
    try (PeerDriver d = new PeerDriver(state)) {
      try (var lines = Files.lines(Path.of(args[0]))) {
        lines.filter(l -> !l.isBlank()).forEach(d::pipe);
      }
      Files.write(Path.of(args[1]), d.alerts());
      if (args.length > 2) Files.write(Path.of(args[2]), d.signals());
      if (args.length > 3) Files.write(Path.of(args[3]), d.deadLetters());
    }
  }
}
