package io.cxpulse.peer.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.cxpulse.peer.rules.Event;
import io.cxpulse.peer.rules.Types.Action;
import io.cxpulse.peer.rules.Types.Author;
import io.cxpulse.peer.rules.Types.EventType;
import io.cxpulse.peer.rules.Types.SurveyKind;
import io.cxpulse.peer.rules.Types.Tier;
import java.io.IOException;
import java.util.Map;

/**
 * Decodes and validates one input event with Jackson (a JsonNode tree), with the rules and error
 * codes of SPEC §1-2 as cxpulse's schemas/ applies them. Not thread-safe only in that the result
 * objects are fresh per call; the mapper is shared.
 */
public final class EventDecoder {
  public static final int MAX_EVENT_BYTES = 64 * 1024;
  private static final int MAX_ID_CHARS = 128;
  private static final long MAX_COUNT = 9_007_199_254_740_991L;

  private static final ObjectMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  /** Why an event was rejected: a stable code (cxpulse's), the field, a message. */
  public record Failure(String code, String field, String message) {}

  /** Exactly one of event / failure is set. */
  public record Result(Event event, Failure failure) {}

  private static final Map<String, EventType> TYPES = Map.of("click", EventType.CLICK, "call",
      EventType.CALL, "chat", EventType.CHAT, "survey", EventType.SURVEY);
  private static final Map<String, Action> CLICK_ACTIONS = Map.of("page_view", Action.PAGE_VIEW,
      "click", Action.CLICK, "search", Action.SEARCH, "error", Action.ERROR, "contact_us",
      Action.CONTACT_US);
  private static final Map<String, Action> CALL_ACTIONS = Map.of("queued", Action.QUEUED,
      "answered", Action.ANSWERED, "transferred", Action.TRANSFERRED, "ended", Action.ENDED,
      "abandoned", Action.ABANDONED);
  private static final Map<String, Action> CHAT_ACTIONS = Map.of("started", Action.STARTED,
      "message", Action.MESSAGE, "transferred", Action.TRANSFERRED, "ended", Action.ENDED,
      "abandoned", Action.ABANDONED);
  private static final Map<String, Tier> TIERS = Map.of("standard", Tier.STANDARD, "vip", Tier.VIP);
  private static final Map<String, Author> AUTHORS =
      Map.of("customer", Author.CUSTOMER, "agent", Author.AGENT, "bot", Author.BOT);
  private static final Map<String, SurveyKind> SURVEYS =
      Map.of("csat", SurveyKind.CSAT, "nps", SurveyKind.NPS, "ces", SurveyKind.CES);

  /** A validation failure inside the checks; carries the first failure. */
  private static final class Reject extends Exception {
    final Failure failure;

    Reject(String code, String field, String detail) {
      super(null, null, false, false);
      this.failure = new Failure(code, field, detail);
    }
  }

  /** Decodes `bytes`; events stamped after `notAfterMs` are future_timestamp. */
  public static Result decode(byte[] bytes, long notAfterMs) {
    if (bytes == null) return fail("invalid_json", "", "empty input");
    if (bytes.length > MAX_EVENT_BYTES) return fail("too_large", "", "");
    JsonNode root;
    try {
      root = MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      String msg = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
      if (msg.startsWith("Duplicate field")) return fail("duplicate_field", "", "");
      return fail("invalid_json", "", "syntax error");
    } catch (IOException e) {
      return fail("invalid_json", "", "syntax error");
    }
    if (root == null || root.isMissingNode()) return fail("invalid_json", "", "empty input");
    if (!root.isObject()) return fail("not_an_object", "", "");
    try {
      Event e = build(root, notAfterMs);
      return new Result(e, null);
    } catch (Reject r) {
      return new Result(null, r.failure);
    }
  }

  private static Result fail(String code, String field, String detail) {
    return new Result(null, new Failure(code, field, detail));
  }

  // --- field checks, in cxpulse's order: the first failure wins ---

  private static String string(JsonNode o, String name, boolean required, int minChars,
      int maxChars) throws Reject {
    JsonNode v = o.get(name);
    if (v == null) {
      if (required) throw new Reject("missing_field", name, "");
      return "";
    }
    if (!v.isTextual()) throw new Reject("wrong_type", name, "expected a string");
    String s = v.textValue();
    if (s.length() > maxChars || s.length() < minChars * 2) {
      int chars = s.codePointCount(0, s.length());
      if (chars < minChars) throw new Reject("invalid_value", name, "too short");
      if (chars > maxChars) throw new Reject("invalid_value", name, "too long");
    }
    return s;
  }

  private static String string(JsonNode o, String name, boolean required) throws Reject {
    return string(o, name, required, 0, Integer.MAX_VALUE);
  }

  /** Integer kinds of cxpulse's decoder: 5.0 is an integer, 1.5 a fraction, 1e20 huge. */
  private static long integer(JsonNode o, String name, boolean required, long min, long max,
      String rangeError, long absent) throws Reject {
    JsonNode v = o.get(name);
    if (v == null) {
      if (required) throw new Reject("missing_field", name, "");
      return absent;
    }
    if (!v.isNumber()) throw new Reject("wrong_type", name, "expected an integer");
    long value;
    if (v.isIntegralNumber()) {
      if (!v.canConvertToLong()) throw new Reject(rangeError, name, "out of range");
      value = v.longValue();
    } else {
      double d = v.doubleValue();
      if (!Double.isFinite(d) || Math.rint(d) != d) {
        throw new Reject("wrong_type", name, "expected an integer");
      }
      if (d < -0x1p63 || d >= 0x1p63) throw new Reject(rangeError, name, "out of range");
      value = (long) d;
    }
    if (value < min || value > max) throw new Reject(rangeError, name, "out of range");
    return value;
  }

  private static <E> E oneOf(JsonNode o, String name, boolean required, Map<String, E> values,
      String unknown, E absent) throws Reject {
    String s = string(o, name, required);
    if (o.get(name) == null) return absent;
    E e = values.get(s);
    if (e == null) throw new Reject(unknown, name, "not one of the allowed values");
    return e;
  }

  private static long timestamp(JsonNode o) throws Reject {
    JsonNode v = o.get("ts");
    if (v == null) throw new Reject("missing_field", "ts", "");
    if (v.isTextual()) {
      long ms = Rfc3339.parse(v.textValue());
      if (ms == Long.MIN_VALUE) throw new Reject("bad_timestamp", "ts", "not RFC 3339 with an offset");
      return ms;
    }
    if (v.isNumber()) {
      if (v.isIntegralNumber() && v.canConvertToLong()) {
        long ms = v.longValue();
        if (ms >= Rfc3339.MIN_EPOCH_MILLIS && ms <= Rfc3339.MAX_EPOCH_MILLIS) return ms;
        throw new Reject("bad_timestamp", "ts", "epoch milliseconds out of range");
      }
      double d = v.doubleValue();
      if (!v.isIntegralNumber() && Double.isFinite(d) && Math.rint(d) == d && Math.abs(d) < 0x1p63) {
        long ms = (long) d;
        if (ms >= Rfc3339.MIN_EPOCH_MILLIS && ms <= Rfc3339.MAX_EPOCH_MILLIS) return ms;
        throw new Reject("bad_timestamp", "ts", "epoch milliseconds out of range");
      }
      throw new Reject("bad_timestamp", "ts", "not integer epoch milliseconds");
    }
    throw new Reject("wrong_type", "ts", "expected a string or an integer");
  }

  private static Event build(JsonNode o, long notAfterMs) throws Reject {
    Event e = new Event();
    e.eventId = string(o, "event_id", true, 1, MAX_ID_CHARS);
    e.customerId = string(o, "customer_id", true, 1, MAX_ID_CHARS);
    e.type = oneOf(o, "type", true, TYPES, "unknown_type", EventType.CLICK);
    e.ts = timestamp(o);
    e.tier = oneOf(o, "tier", false, TIERS, "invalid_value", Tier.UNSET);
    e.channel = string(o, "channel", false);
    switch (e.type) {
      case CLICK:
        checkClick(o, e);
        break;
      case CALL:
      case CHAT:
        checkContact(o, e);
        break;
      case SURVEY:
        checkSurvey(o, e);
        break;
    }
    if (e.ts > notAfterMs) {
      throw new Reject("future_timestamp", "ts", "later than the allowed clock skew");
    }
    return e;
  }

  private static void checkClick(JsonNode o, Event e) throws Reject {
    e.action = oneOf(o, "action", true, CLICK_ACTIONS, "unknown_action", Action.NONE);
    e.sessionId = string(o, "session_id", false);
    switch (e.action) {
      case PAGE_VIEW:
        e.page = string(o, "page", true, 1, Integer.MAX_VALUE);
        break;
      case CLICK:
        e.page = string(o, "page", true, 1, Integer.MAX_VALUE);
        e.element = string(o, "element", true, 1, Integer.MAX_VALUE);
        break;
      case SEARCH:
        e.results = integer(o, "results", true, 0, MAX_COUNT, "invalid_value", -1);
        e.query = string(o, "query", false);
        e.page = string(o, "page", false);
        break;
      case ERROR:
        e.page = string(o, "page", true, 1, Integer.MAX_VALUE);
        e.status = (int) integer(o, "status", true, 100, 599, "invalid_value", 0);
        break;
      default:
        break;
    }
  }

  private static void checkContact(JsonNode o, Event e) throws Reject {
    e.action = oneOf(o, "action", true, e.type == EventType.CALL ? CALL_ACTIONS : CHAT_ACTIONS,
        "unknown_action", Action.NONE);
    e.contactId = string(o, "contact_id", true, 1, MAX_ID_CHARS);
    switch (e.action) {
      case QUEUED:
      case STARTED:
        e.queue = string(o, "queue", false);
        e.reason = string(o, "reason", false);
        break;
      case ANSWERED:
        e.agentId = string(o, "agent_id", false);
        break;
      case MESSAGE:
        e.author = oneOf(o, "author", true, AUTHORS, "invalid_value", Author.NONE);
        break;
      case ENDED: {
        JsonNode resolved = o.get("resolved");
        if (resolved != null && !resolved.isBoolean()) {
          throw new Reject("wrong_type", "resolved", "expected a boolean");
        }
        if (e.type == EventType.CALL) integer(o, "hold_ms", false, 0, MAX_COUNT, "invalid_value", -1);
        break;
      }
      default:
        break;
    }
  }

  private static void checkSurvey(JsonNode o, Event e) throws Reject {
    e.survey = oneOf(o, "survey", true, SURVEYS, "unknown_survey", SurveyKind.NONE);
    long min = e.survey == SurveyKind.NPS ? 0 : 1;
    long max = e.survey == SurveyKind.NPS ? 10 : e.survey == SurveyKind.CSAT ? 5 : 7;
    e.score = (int) integer(o, "score", true, min, max, "score_out_of_range", -1);
    e.contactId = string(o, "contact_id", false, 1, MAX_ID_CHARS);
    string(o, "comment", false);
  }
}
