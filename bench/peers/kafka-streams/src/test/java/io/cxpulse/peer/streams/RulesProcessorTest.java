package io.cxpulse.peer.streams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A few rules through the whole topology (TopologyTestDriver: stores, punctuation, sinks). */
class RulesProcessorTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final long T0 = 1_791_190_800_000L; // 2026-10-05T09:00:00Z

  private static String call(String id, String action, long ts) {
    return "{\"event_id\":\"" + id + "\",\"customer_id\":\"c-1\",\"type\":\"call\",\"action\":\""
        + action + "\",\"contact_id\":\"call-1\",\"ts\":" + ts + "}";
  }

  private static String click(String id, String customer, long ts) {
    return "{\"event_id\":\"" + id + "\",\"customer_id\":\"" + customer + "\",\"type\":\"click\","
        + "\"action\":\"page_view\",\"page\":\"/home\",\"ts\":" + ts + "}";
  }

  private static JsonNode json(String s) throws Exception {
    return MAPPER.readTree(s);
  }

  @Test
  void longWaitFiresOnlyOnceStreamTimePassesTheDeadlinePlusLateness(@TempDir Path state)
      throws Exception {
    try (PeerDriver d = new PeerDriver(state)) {
      d.pipe(call("e-1", "queued", T0));
      // 3 x 20 s = 60 s; lateness 5 s: stream time 64.9 s is a watermark of 59.9 s.
      d.pipe(click("e-2", "c-2", T0 + 64_900));
      assertEquals(List.of(), d.alerts());
      d.pipe(click("e-3", "c-2", T0 + 66_000));
      List<String> alerts = d.alerts();
      assertEquals(1, alerts.size(), alerts.toString());
      JsonNode a = json(alerts.get(0));
      assertEquals("sla_breach", a.get("kind").asText());
      assertEquals("warning", a.get("severity").asText());
      assertEquals("2026-10-05T09:01:00.000Z", a.get("ts").asText());
      assertEquals("call_answer_breach", a.at("/reasons/0/code").asText());
    }
  }

  @Test
  void ownLateAnswerWithinTheLatenessMeetsTheSla(@TempDir Path state) throws Exception {
    try (PeerDriver d = new PeerDriver(state)) {
      d.pipe(call("e-1", "queued", T0));
      d.pipe(click("e-2", "c-2", T0 + 24_000)); // watermark 19 s: the 20 s deadline is not due
      d.pipe(call("e-3", "answered", T0 + 19_000));
      d.pipe(click("e-4", "c-2", T0 + 100_000));
      assertEquals(List.of(), d.alerts());
      List<String> signals = d.signals();
      assertTrue(signals.stream().anyMatch(s -> s.contains("\"type\":\"sla.met\"")), signals.toString());
      assertTrue(signals.stream().noneMatch(s -> s.contains("sla.breached")), signals.toString());
    }
  }

  @Test
  void duplicateEventIsIgnoredAndVipLowScoreIsCritical(@TempDir Path state) throws Exception {
    String survey = "{\"event_id\":\"s-1\",\"customer_id\":\"c-9\",\"type\":\"survey\","
        + "\"survey\":\"nps\",\"score\":5,\"tier\":\"vip\",\"ts\":" + T0 + "}";
    try (PeerDriver d = new PeerDriver(state)) {
      d.pipe(survey);
      d.pipe(survey);
      List<String> alerts = d.alerts();
      assertEquals(1, alerts.size(), alerts.toString());
      JsonNode a = json(alerts.get(0));
      assertEquals("low_score", a.get("kind").asText());
      assertEquals("critical", a.get("severity").asText()); // NPS 5 is a warning; VIP steps up
      assertEquals("vip", a.get("tier").asText());
    }
  }

  @Test
  void invalidLinesBecomeDeadLettersAndProcessingGoesOn(@TempDir Path state) throws Exception {
    try (PeerDriver d = new PeerDriver(state)) {
      d.pipe("{\"event_id\":\"x\",\"customer_id\":\"c-1\",\"type\":\"survey\",\"survey\":\"nps\","
          + "\"score\":11,\"ts\":" + T0 + "}");
      d.pipe("not json");
      d.pipe("{\"event_id\":\"s-2\",\"customer_id\":\"c-1\",\"type\":\"survey\","
          + "\"survey\":\"csat\",\"score\":1,\"ts\":" + T0 + "}");
      List<String> dead = d.deadLetters();
      assertEquals(2, dead.size(), dead.toString());
      assertEquals("score_out_of_range", json(dead.get(0)).get("error").asText());
      assertEquals("cx.surveys", json(dead.get(0)).at("/source/topic").asText());
      assertEquals("invalid_json", json(dead.get(1)).get("error").asText());
      assertEquals("not json", json(dead.get(1)).get("original").asText());
      assertEquals(1, d.alerts().size());
    }
  }
}
