// The events of the outreach-page browser test (outreach_test.mjs): what the real `cxpulse run`
// turns into the alerts the outreach service folds into cases.
//
// - `cxpulse generate` traffic (fixed seed) shifted so that its last event is two hours old,
// - one customer written by hand (PANEL) whose state the customer panel shows: a VIP who looked
//   at the cancellation page, had a chat in billing about a refund, answered an NPS survey with
//   1 and a comment, then queued a call in retention about cancelling that nobody answered,
// - one harmless page_view per input partition a minute ago, which moves every partition's
//   watermark past all of the above's deadlines (so the live processor and `cxpulse replay` of
//   the same file raise the same alerts).
// A later, live case (liveCase): a VIP abandons a billing chat after 92 s without an agent.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const MINUTE = 60000;
const iso = (ms) => new Date(ms).toISOString();

export const PANEL = {
  customer: "c-panel-0001",
  call: "call-panel-1",
  chat: "chat-panel-1",
  comment: "Third time I call about the same refund.",
};
export const LIVE = { customer: "c-live-0001", chat: "chat-live-1" };

// Lines of `events` (objects) plus the tail events at `tailMs` (kafka_helper.py tail-events).
function withTail(events, tailMs, python, helper) {
  const tail = execFileSync(python, [helper, "tail-events", "2", iso(tailMs)], { encoding: "utf8" })
    .trim().split("\n");
  return [...events.map((e) => JSON.stringify(e)), ...tail];
}

function panelEvents(t0) {
  const c = PANEL.customer;
  const e = (n, at, fields) => ({ event_id: `e-panel-${n}`, customer_id: c, ts: iso(t0 + at), ...fields });
  return [
    e(1, 0, { type: "click", action: "page_view", page: "/account/cancel", tier: "vip", channel: "web", session_id: "s-panel-1" }),
    e(2, MINUTE, { type: "chat", action: "started", contact_id: PANEL.chat, queue: "billing", reason: "refund", channel: "chat" }),
    e(3, MINUTE + 5000, { type: "chat", action: "message", contact_id: PANEL.chat, author: "customer" }),
    e(4, MINUTE + 30000, { type: "chat", action: "message", contact_id: PANEL.chat, author: "agent" }),
    e(5, 5 * MINUTE, { type: "chat", action: "ended", contact_id: PANEL.chat, resolved: false }),
    e(6, 10 * MINUTE, { type: "survey", survey: "nps", score: 1, contact_id: PANEL.chat, comment: PANEL.comment }),
    e(7, 20 * MINUTE, { type: "call", action: "queued", contact_id: PANEL.call, queue: "retention", reason: "cancel", channel: "phone" }),
  ];
}

// Writes the first batch to `path`; returns its lines.
export function firstBatch({ binary, python, helper, workDir, now, path }) {
  const generated = join(workDir, "generated.jsonl");
  execFileSync(binary, ["-q", "generate", "--customers", "100", "--struggle-ratio", "0.4", "--vip-ratio", "0.15",
    "--seed", "11", "--output", generated]);
  const events = readFileSync(generated, "utf8").trim().split("\n").map((line) => JSON.parse(line));
  const tailMs = now - MINUTE;
  const endMs = tailMs - 120 * MINUTE;
  const shift = endMs - Math.max(...events.map((e) => Date.parse(e.ts)));
  for (const e of events) e.ts = iso(Date.parse(e.ts) + shift);
  // In event-time order, as a real source writes them: a customer's event behind the watermark
  // would be late.
  const all = [...events, ...panelEvents(endMs - 50 * MINUTE)].sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
  const lines = withTail(all, tailMs, python, helper);
  writeFileSync(path, lines.join("\n") + "\n");
  return lines;
}

// Writes the live case's events (and a tail at `now` that lets the watermark pass them) to
// `path`.
export function liveCase({ python, helper, now, path }) {
  const c = LIVE.customer;
  const e = (n, at, fields) => ({ event_id: `e-live-${n}`, customer_id: c, ts: iso(now + at), ...fields });
  const events = [
    e(1, -100000, { type: "chat", action: "started", contact_id: LIVE.chat, queue: "billing", reason: "refund", channel: "chat", tier: "vip" }),
    e(2, -99000, { type: "chat", action: "message", contact_id: LIVE.chat, author: "customer" }),
    e(3, -8000, { type: "chat", action: "abandoned", contact_id: LIVE.chat }),
  ];
  writeFileSync(path, withTail(events, now, python, helper).join("\n") + "\n");
}
