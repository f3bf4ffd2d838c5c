#!/usr/bin/python3
"""An unanswered chat with no further traffic breaches within 2 s of its deadline: the idle
shard's watermark follows the wall clock (kafka.idle_watermark_after), so `sla.breached` reaches
cx.signals (read_committed) no later than 2 s after started + the first-reply target. A chat the
agent answered in time, sent alongside as a control, must not breach."""
import datetime
import json
import os
import time
import uuid

from confluent_kafka import Consumer, Producer, TopicPartition

import itlib

PARTITIONS = 4
TARGET_S = 10  # rules.sla.chat_first_reply_target (60 s by default; the rule is the same)
LIMIT_S = 2.0


def iso_now(offset_s=0.0):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=offset_s)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def main(checks):
    args = itlib.parse_args()
    work = args.work_dir
    prefix, group = itlib.fresh_topics(args.bootstrap, "idle", PARTITIONS)
    config = itlib.write_config(os.path.join(work, "live.yaml"), os.path.join(work, "state"),
                                args.bootstrap, group, prefix, "i1", idle="1s",
                                rules={"sla": {"chat_first_reply_target": f"{TARGET_S}s"}})
    processor = itlib.Processor(args.cxpulse, config, os.path.join(work, "live.log"))
    signals_topic = prefix + "cx.signals"
    reader = Consumer({"bootstrap.servers": args.bootstrap, "group.id": prefix + "reader",
                       "isolation.level": "read_committed", "enable.auto.commit": False})
    reader.assign([TopicPartition(signals_topic, p, 0) for p in range(PARTITIONS)])
    arrivals = []  # (wall-clock seconds when read, signal)
    try:
        processor.start()
        processor.wait_assigned()
        tag = uuid.uuid4().hex[:8]
        unanswered, answered = f"idle-{tag}-unanswered", f"idle-{tag}-answered"
        started = time.time()
        now = iso_now()
        events = [
            {"event_id": "u1", "customer_id": unanswered, "type": "chat", "action": "started",
             "ts": now, "contact_id": "chat-u", "channel": "chat"},
            {"event_id": "u2", "customer_id": unanswered, "type": "chat", "action": "message",
             "ts": now, "contact_id": "chat-u", "author": "customer", "channel": "chat"},
            {"event_id": "a1", "customer_id": answered, "type": "chat", "action": "started",
             "ts": now, "contact_id": "chat-a", "channel": "chat"},
            {"event_id": "a2", "customer_id": answered, "type": "chat", "action": "message",
             "ts": now, "contact_id": "chat-a", "author": "customer", "channel": "chat"},
        ]
        producer = Producer({"bootstrap.servers": args.bootstrap, "partitioner": "murmur2_random"})
        for e in events:
            producer.produce(prefix + "cx.chats", json.dumps(e).encode(), e["customer_id"].encode(),
                             timestamp=int(started * 1000))
        producer.flush(30)
        time.sleep(max(0.0, started + 3 - time.time()))
        reply = {"event_id": "a3", "customer_id": answered, "type": "chat", "action": "message",
                 "ts": iso_now(), "contact_id": "chat-a", "author": "agent", "channel": "chat"}
        producer.produce(prefix + "cx.chats", json.dumps(reply).encode(), answered.encode(),
                         timestamp=int(time.time() * 1000))
        producer.flush(30)
        deadline = started + TARGET_S
        itlib.log(f"chats started; first-reply deadline in {deadline - time.time():.1f} s")
        while time.time() < deadline + LIMIT_S + 5:
            msg = reader.poll(0.05)
            if msg is None or msg.error():
                continue
            signal = json.loads(msg.value())
            arrivals.append((time.time(), signal))
            if not processor.alive():
                break
    finally:
        reader.close()
        code = processor.stop()
    checks.check("processor stops cleanly", code == 0, f"exit {code}")
    breaches = [(t, s) for t, s in arrivals if s.get("type") == "sla.breached"]
    mine = [(t, s) for t, s in breaches if s.get("customer_id") == unanswered]
    checks.check("the unanswered chat breached", len(mine) == 1,
                 f"{len(mine)} sla.breached signals for it; all signals: {arrivals}")
    if mine:
        t, s = mine[0]
        late = t - deadline
        itlib.log(f"sla.breached read {late:+.3f} s after the deadline: {json.dumps(s)}")
        checks.check(f"breach arrived within {LIMIT_S} s of the deadline ({late:+.2f} s)",
                     late <= LIMIT_S)
        checks.check("breach did not come before the deadline", late >= -0.05, f"{late:+.3f} s")
        checks.check("breach names the chat and the first-reply SLA",
                     s.get("contact_id") == "chat-u" and s.get("sla") == "chat_first_reply"
                     and s.get("target_ms") == TARGET_S * 1000, json.dumps(s))
    checks.check("the answered chat met its SLA and did not breach",
                 any(s.get("type") == "sla.met" and s.get("customer_id") == answered
                     for _, s in arrivals)
                 and not [s for _, s in breaches if s.get("customer_id") == answered],
                 f"all signals: {arrivals}")


if __name__ == "__main__":
    itlib.run_test(main, itlib.Checks())
