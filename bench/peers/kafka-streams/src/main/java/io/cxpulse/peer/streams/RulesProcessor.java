package io.cxpulse.peer.streams;

import io.cxpulse.peer.json.EventDecoder;
import io.cxpulse.peer.json.OutputJson;
import io.cxpulse.peer.rules.Alert;
import io.cxpulse.peer.rules.CustomerState;
import io.cxpulse.peer.rules.Emissions;
import io.cxpulse.peer.rules.Engine;
import io.cxpulse.peer.rules.RulesConfig;
import io.cxpulse.peer.rules.Signal;
import io.cxpulse.peer.rules.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The rules of SPEC §3-4 for one task (one partition number of the four co-partitioned inputs).
 *
 * <p>State: the `customers` store (customer id -> CustomerState) and the `timers` store (one
 * entry "deadline|customer" per customer with a pending deadline), both persistent RocksDB stores
 * with changelogs.
 *
 * <p>Time: the watermark is the task's stream time (the largest record timestamp it has
 * processed; producers stamp records with the event time) minus the allowed lateness, and never
 * moves back. Deadlines fire by punctuation: a STREAM_TIME punctuator every `punctuateMs` of
 * stream time scans the timers store for deadlines the watermark has passed (deadline <
 * watermark). Before an event is applied, its own customer's due deadlines fire first, so a
 * customer's result does not depend on when the punctuator ran. A WALL_CLOCK_TIME punctuator
 * moves the watermark of a task that received nothing for `idleWatermarkAfterMs` to the wall
 * clock, as cxpulse does for an idle shard.
 */
final class RulesProcessor implements Processor<String, byte[], String, byte[]> {
  static final String CUSTOMERS = "customers";
  static final String TIMERS = "timers";
  static final String ALERTS_SINK = "alerts";
  static final String SIGNALS_SINK = "signals";
  static final String DEAD_LETTER_SINK = "deadletter";

  private final RulesConfig rules;
  private final PeerOptions options;
  private final Emissions emissions = new Emissions();

  private ProcessorContext<String, byte[]> context;
  private KeyValueStore<String, CustomerState> customers;
  private KeyValueStore<String, String> timers;
  private long watermark = Types.MIN;
  /** No pending deadline of this task is earlier than this (a lower bound: skips empty scans). */
  private long earliestTimer = Types.MIN;
  private long lastRecordWallMs;

  RulesProcessor(RulesConfig rules, PeerOptions options) {
    this.rules = rules;
    this.options = options;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    this.customers = context.getStateStore(CUSTOMERS);
    this.timers = context.getStateStore(TIMERS);
    this.lastRecordWallMs = System.currentTimeMillis();
    context.schedule(Duration.ofMillis(options.punctuateMs), PunctuationType.STREAM_TIME,
        streamTime -> advance(streamTime - rules.lateness));
    if (options.idleWatermarkAfterMs > 0) {
      context.schedule(Duration.ofSeconds(1), PunctuationType.WALL_CLOCK_TIME, wall -> {
        if (wall - lastRecordWallMs >= options.idleWatermarkAfterMs) advance(wall);
      });
    }
  }

  @Override
  public void process(Record<String, byte[]> record) {
    long now = System.currentTimeMillis();
    lastRecordWallMs = now;
    watermark = Math.max(watermark, context.currentStreamTimeMs() - rules.lateness);
    EventDecoder.Result decoded = EventDecoder.decode(record.value(), now + options.maxFutureMs);
    if (decoded.failure() != null) {
      RecordMetadata md = context.recordMetadata().orElseThrow();
      context.forward(new Record<>(record.key(), OutputJson.deadLetter(decoded.failure(),
          md.topic(), md.partition(), md.offset(), record.value()), record.timestamp()),
          DEAD_LETTER_SINK);
      return;
    }
    String customerId = decoded.event().customerId;
    CustomerState state = customers.get(customerId);
    if (state == null) state = new CustomerState();
    long scheduled = state.nextDeadline;
    emissions.clear();
    boolean fired = false;
    if (state.nextDeadline < watermark) {
      Engine.fireDueTimers(rules, customerId, state, watermark, emissions);
      fired = true;
    }
    boolean applied = Engine.applyEvent(rules, state, decoded.event(), watermark, emissions);
    if (applied || fired) {
      customers.put(customerId, state);
      reschedule(customerId, scheduled, state.nextDeadline);
    }
    emit(customerId);
  }

  /** Moves the watermark to `to` (if later) and fires every deadline it has passed. */
  private void advance(long to) {
    if (to <= watermark && earliestTimer >= watermark) return;
    watermark = Math.max(watermark, to);
    if (earliestTimer >= watermark) return;
    List<KeyValue<Long, String>> due = new ArrayList<>();
    long next = Types.MAX;
    try (KeyValueIterator<String, String> it = timers.all()) {
      while (it.hasNext()) {
        String key = it.next().key;
        long deadline = TimerKeys.deadline(key);
        if (deadline >= watermark) {
          next = deadline;
          break;
        }
        due.add(KeyValue.pair(deadline, TimerKeys.customer(key)));
      }
    }
    for (KeyValue<Long, String> timer : due) {
      String customerId = timer.value;
      CustomerState state = customers.get(customerId);
      if (state == null || state.nextDeadline != timer.key) {
        timers.delete(TimerKeys.key(timer.key, customerId));
        continue;
      }
      emissions.clear();
      Engine.fireDueTimers(rules, customerId, state, watermark, emissions);
      customers.put(customerId, state);
      reschedule(customerId, timer.key, state.nextDeadline);
      emit(customerId);
      next = Math.min(next, state.nextDeadline);
    }
    earliestTimer = next;
  }

  private void reschedule(String customerId, long from, long to) {
    if (from == to) return;
    if (from != Types.MAX) timers.delete(TimerKeys.key(from, customerId));
    if (to != Types.MAX) {
      timers.put(TimerKeys.key(to, customerId), "");
      earliestTimer = Math.min(earliestTimer, to);
    }
  }

  private void emit(String customerId) {
    for (Signal s : emissions.signals) {
      context.forward(new Record<>(customerId, OutputJson.signal(s), Math.max(0, s.ts)),
          SIGNALS_SINK);
    }
    for (Alert a : emissions.alerts) {
      context.forward(new Record<>(customerId, OutputJson.alert(a), Math.max(0, a.ts)),
          ALERTS_SINK);
    }
    emissions.clear();
  }
}
