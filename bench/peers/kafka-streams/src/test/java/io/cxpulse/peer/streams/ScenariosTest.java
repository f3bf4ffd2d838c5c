package io.cxpulse.peer.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cxpulse.peer.json.Rfc3339;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case of cxpulse's tests/scenarios through the peer: the same alerts (and signals) as the
 * expected files, compared as sets with the scenario test's subset match. cxpulse's replay moves
 * the watermark to the last event time at the end of its input; stream time only moves with
 * records, so the test ends with one record of another customer stamped `lateness` later.
 */
class ScenariosTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Path SCENARIOS = Path.of("../../../tests/scenarios");

  static Stream<String> scenarios() throws IOException {
    try (Stream<Path> dirs = Files.list(SCENARIOS)) {
      return dirs.filter(d -> Files.exists(d.resolve("events.jsonl")))
          .map(d -> d.getFileName().toString()).sorted().toList().stream();
    }
  }

  private static List<String> lines(Path p) throws IOException {
    if (!Files.exists(p)) return List.of();
    return Files.readAllLines(p).stream().filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
  }

  static boolean subsetMatch(JsonNode expected, JsonNode actual) {
    if (expected.isObject()) {
      if (!actual.isObject()) return false;
      for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        if (!actual.has(f.getKey()) || !subsetMatch(f.getValue(), actual.get(f.getKey()))) {
          return false;
        }
      }
      return true;
    }
    if (expected.isArray()) {
      if (!actual.isArray() || actual.size() != expected.size()) return false;
      for (int i = 0; i < expected.size(); i++) {
        if (!subsetMatch(expected.get(i), actual.get(i))) return false;
      }
      return true;
    }
    return expected.equals(actual);
  }

  static void assertSameSet(String what, List<String> expected, List<String> actual)
      throws IOException {
    assertEquals(expected.size(), actual.size(), what + ": count; actual " + actual);
    List<JsonNode> left = new ArrayList<>();
    for (String a : actual) left.add(MAPPER.readTree(a));
    for (String e : expected) {
      JsonNode want = MAPPER.readTree(e);
      boolean found = left.removeIf(new java.util.function.Predicate<>() {
        boolean done;

        @Override
        public boolean test(JsonNode a) {
          if (done || !subsetMatch(want, a)) return false;
          done = true;
          return true;
        }
      });
      assertTrue(found, what + ": no output matches " + e + "; actual " + actual);
    }
  }

  @ParameterizedTest
  @MethodSource("scenarios")
  void peerGivesTheExpectedOutput(String name, @TempDir Path state) throws IOException {
    Path dir = SCENARIOS.resolve(name);
    List<String> events = lines(dir.resolve("events.jsonl"));
    long last = Long.MIN_VALUE;
    for (String e : events) {
      JsonNode ts = MAPPER.readTree(e).path("ts");
      long ms = ts.isIntegralNumber() ? ts.asLong() : Rfc3339.parse(ts.asText(""));
      last = Math.max(last, ms);
    }
    try (PeerDriver driver = new PeerDriver(state)) {
      events.forEach(driver::pipe);
      driver.pipe("{\"event_id\":\"end\",\"customer_id\":\"c-end-of-input\",\"type\":\"survey\","
          + "\"survey\":\"nps\",\"score\":10,\"ts\":" + (last + 5000) + "}");
      assertSameSet(name + " alerts", lines(dir.resolve("expected_alerts.jsonl")), driver.alerts());
      if (Files.exists(dir.resolve("expected_signals.jsonl"))) {
        assertSameSet(name + " signals", lines(dir.resolve("expected_signals.jsonl")),
            driver.signals());
      }
    }
  }
}
