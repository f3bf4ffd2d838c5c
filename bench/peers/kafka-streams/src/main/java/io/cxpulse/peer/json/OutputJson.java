package io.cxpulse.peer.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.cxpulse.peer.rules.Alert;
import io.cxpulse.peer.rules.Signal;
import io.cxpulse.peer.rules.Types;
import io.cxpulse.peer.rules.Types.Tier;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Writes alerts, signals and dead letters as the JSON of cxpulse's schemas/json (same fields in
 * the same order), with Jackson's streaming generator.
 */
public final class OutputJson {
  private OutputJson() {}

  private static final JsonFactory FACTORY = new JsonFactory();

  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private static byte[] write(Body body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      body.write(g);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void stringArray(JsonGenerator g, String name, List<String> values)
      throws IOException {
    g.writeArrayFieldStart(name);
    for (String v : values) g.writeString(v);
    g.writeEndArray();
  }

  public static byte[] alert(Alert a) {
    return write(g -> {
      g.writeStartObject();
      g.writeStringField("alert_id", a.alertId);
      g.writeStringField("customer_id", a.customerId);
      g.writeStringField("kind", a.kind.json);
      g.writeStringField("severity", a.severity.json);
      g.writeStringField("ts", Rfc3339.format(a.ts));
      if (!a.contactId.isEmpty()) g.writeStringField("contact_id", a.contactId);
      if (a.tier != Tier.UNSET) g.writeStringField("tier", a.tier == Tier.VIP ? "vip" : "standard");
      if (!a.channel.isEmpty()) g.writeStringField("channel", a.channel);
      if (!a.queue.isEmpty()) g.writeStringField("queue", a.queue);
      if (!a.reason.isEmpty()) g.writeStringField("reason", a.reason);
      g.writeArrayFieldStart("reasons");
      g.writeStartObject();
      g.writeStringField("code", a.code);
      g.writeStringField("detail", a.detail);
      stringArray(g, "event_ids", a.eventIds);
      g.writeEndObject();
      g.writeEndArray();
      g.writeNumberField("effort_score", a.effortScore);
      g.writeNumberField("risk_score", a.riskScore);
      g.writeStringField("recommended_action", Types.recommendedAction(a.kind, a.severity));
      g.writeEndObject();
    });
  }

  public static byte[] signal(Signal s) {
    return write(g -> {
      g.writeStartObject();
      g.writeStringField("signal_id", s.signalId);
      g.writeStringField("type", s.kind.json);
      g.writeStringField("customer_id", s.customerId);
      g.writeStringField("ts", Rfc3339.format(s.ts));
      switch (s.kind) {
        case SLA_BREACHED:
        case SLA_MET:
        case SLA_ENDED:
          g.writeStringField("contact_id", s.contactId);
          g.writeStringField("channel", s.channel);
          g.writeStringField("sla", s.sla.json);
          g.writeNumberField("target_ms", s.targetMs);
          g.writeNumberField("elapsed_ms", s.elapsedMs);
          g.writeStringField("outcome", s.outcome.json);
          break;
        case CONTACT_REPEAT:
          g.writeStringField("contact_id", s.contactId);
          g.writeStringField("channel", s.channel);
          g.writeNumberField("count_7d", s.count7d);
          g.writeBooleanField("same_reason", s.sameReason);
          break;
        default:
          g.writeNumberField("score", s.score);
          g.writeNumberField("previous", s.previous);
          break;
      }
      stringArray(g, "event_ids", s.eventIds);
      g.writeEndObject();
    });
  }

  /** A dead letter (SPEC §2): the original bytes, the code, a message and the Kafka source. */
  public static byte[] deadLetter(EventDecoder.Failure f, String topic, int partition,
      long offset, byte[] original) {
    return write(g -> {
      g.writeStartObject();
      g.writeStringField("error", f.code());
      if (!f.field().isEmpty()) g.writeStringField("field", f.field());
      g.writeStringField("message", message(f));
      g.writeObjectFieldStart("source");
      g.writeStringField("topic", topic);
      g.writeNumberField("partition", partition);
      g.writeNumberField("offset", offset);
      g.writeEndObject();
      byte[] kept = original == null ? new byte[0] : original;
      boolean truncated = kept.length > EventDecoder.MAX_EVENT_BYTES;
      if (truncated) kept = java.util.Arrays.copyOf(kept, EventDecoder.MAX_EVENT_BYTES);
      String text = utf8(kept);
      if (text != null) {
        g.writeStringField("original", text);
      } else {
        g.writeStringField("original_base64", Base64.getEncoder().encodeToString(kept));
      }
      if (truncated) {
        g.writeNumberField("original_size", original.length);
        g.writeStringField("original_sha256", sha256(original));
        g.writeBooleanField("original_truncated", true);
      }
      g.writeEndObject();
    });
  }

  /** cxpulse's one-line summary of each error code (schemas/decode_error.cpp). */
  private static final java.util.Map<String, String> SUMMARIES = java.util.Map.ofEntries(
      java.util.Map.entry("too_large", "event is larger than 64 KiB"),
      java.util.Map.entry("invalid_json", "not valid JSON"),
      java.util.Map.entry("not_an_object", "the event is not a JSON object"),
      java.util.Map.entry("missing_field", "required field is missing"),
      java.util.Map.entry("wrong_type", "field has the wrong JSON type"),
      java.util.Map.entry("invalid_value", "field has an invalid value"),
      java.util.Map.entry("unknown_type", "unknown event type"),
      java.util.Map.entry("unknown_action", "unknown action for this event type"),
      java.util.Map.entry("unknown_survey", "unknown survey kind"),
      java.util.Map.entry("score_out_of_range", "score is outside the range of its survey kind"),
      java.util.Map.entry("bad_timestamp", "ts is neither RFC 3339 with offset nor epoch ms"),
      java.util.Map.entry("future_timestamp", "ts is too far in the future"),
      java.util.Map.entry("duplicate_field", "field appears more than once"));

  private static String message(EventDecoder.Failure f) {
    StringBuilder m = new StringBuilder(f.code()).append(": ").append(SUMMARIES.get(f.code()));
    if (!f.field().isEmpty()) m.append(" (field \"").append(f.field()).append("\")");
    if (!f.message().isEmpty()) m.append(": ").append(f.message());
    return m.toString();
  }

  private static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
      StringBuilder hex = new StringBuilder();
      for (byte b : d) hex.append(String.format("%02x", b));
      return hex.toString();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
