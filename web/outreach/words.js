// cxpulse outreach page: what the codes of SPEC §4 and §7 mean in words, times, and a small
// DOM helper. No state, no network.

export const KINDS = {
  sla_breach: "Waited too long",
  repeat_contact: "Keeps contacting us",
  high_effort: "Struggling (high effort)",
  at_risk: "At risk of leaving",
  low_score: "Low survey score",
  needs_help: "Stuck in self-service",
};

export const ACTIONS = {
  callback: "Call the customer back",
  apologise_and_compensate: "Apologise and offer compensation",
  own_the_issue: "Own the issue end to end",
  senior_callback: "Have a manager call",
  offer_chat: "Offer a chat now",
};

export const REASONS = {
  call_answer_breach: "Call not answered in time",
  chat_first_reply_breach: "No first reply in chat",
  chat_next_reply_breach: "Chat left without a reply",
  abandoned_after_breach: "Gave up after waiting too long",
  repeat_contacts: "Contacted us again and again",
  effort_threshold: "Too much effort to get help",
  risk_threshold: "Signs they may leave",
  low_nps: "Would not recommend us",
  low_csat: "Unhappy with the service",
  low_ces: "Found it hard to get help",
  help_dwell: "Spent a long time on help pages",
  failed_searches: "Searches found nothing",
  contact_us: "Pressed “contact us”",
};

export const OUTCOMES = {
  reached: "Reached the customer",
  no_answer: "No answer",
  resolved: "Problem resolved",
  not_needed: "Not needed",
};

export const STATUSES = { open: "Open", claimed: "Claimed", snoozed: "Snoozed", resolved: "Resolved" };

// A code in words: from `table`, else the code with spaces and a capital.
export function plain(code, table) {
  if (table && table[code]) return table[code];
  const words = String(code || "").replace(/[_.]+/g, " ").trim();
  return words ? words[0].toUpperCase() + words.slice(1) : "Unknown";
}

export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function formatTime(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, {
    month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
  });
}

// "3 min", "2 h 5 min", "4 d": how long since `iso`.
export function age(iso, now = Date.now()) {
  const seconds = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (!Number.isFinite(seconds)) return "";
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}

// Why a reason counts, in a few words: the score band, the survey answer, the wait.
function shortReason(reason) {
  const detail = String(reason.detail || "");
  let m;
  switch (reason.code) {
    case "abandoned_after_breach": return "abandoned";
    case "effort_threshold":
      m = /reached (\d+)/.exec(detail);
      return m ? `effort ≥ ${m[1]}` : "high effort";
    case "risk_threshold":
      m = /reached (\d+)/.exec(detail);
      return m ? `risk ≥ ${m[1]}` : "at risk";
    case "low_nps": case "low_csat": case "low_ces":
      m = /^(\w+) answer (\d+)/.exec(detail);
      return m ? `${m[1]} ${m[2]}` : plain(reason.code, REASONS);
    case "repeat_contacts": return detail || "repeat contacts";
    case "call_answer_breach": case "chat_first_reply_breach": case "chat_next_reply_breach":
      m = /(\d+) s/.exec(detail);
      return m ? `waited ${m[1]} s` : "waited too long";
    default: return detail || plain(reason.code, REASONS);
  }
}

// Why the case has its severity: VIP, abandoned, the score band of its most severe alerts.
export function severityWhy(c) {
  const why = [];
  if (c.tier === "vip") why.push("VIP");
  const top = (c.alerts || []).filter((a) => a.severity === c.severity).reverse();
  for (const alert of top) {
    for (const reason of alert.reasons || []) {
      const text = shortReason(reason);
      if (!why.includes(text)) why.push(text);
    }
  }
  return why;
}

// The case's alert kinds in words, latest first, without repeats.
export function kindsOf(c) {
  const kinds = [];
  for (const alert of [...(c.alerts || [])].reverse()) {
    const word = plain(alert.kind, KINDS);
    if (!kinds.includes(word)) kinds.push(word);
  }
  return kinds;
}
