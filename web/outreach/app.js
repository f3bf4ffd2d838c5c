// cxpulse outreach page: the live alert list (GET /alerts, then the /alerts/stream event
// stream) and a customer view (GET /customers/{id}). Plain JavaScript, no build step.
"use strict";

const KINDS = {
  sla_breach: "Waited too long",
  repeat_contact: "Keeps contacting us",
  high_effort: "Struggling (high effort)",
  at_risk: "At risk of leaving",
  low_score: "Low survey score",
  needs_help: "Stuck in self-service",
};

const ACTIONS = {
  callback: "Call the customer back",
  apologise_and_compensate: "Apologise and offer compensation",
  own_the_issue: "Own the issue end to end",
  senior_callback: "Have a manager call",
  offer_chat: "Offer a chat now",
};

const REASONS = {
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

const MAX_ITEMS = 500;
const TOKEN_KEY = "cxpulse.token";

const state = {
  alerts: [],          // newest first
  seen: new Set(),     // alert_id
  kind: "",
  severity: "",
  customer: null,      // id shown in the customer view
};

const $ = (id) => document.getElementById(id);

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function plain(code, table) {
  if (table[code]) return table[code];
  const words = String(code || "").replace(/[_.]+/g, " ").trim();
  return words ? words[0].toUpperCase() + words.slice(1) : "Unknown";
}

function formatTime(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, {
    month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit",
  });
}

function timeAgo(iso) {
  const seconds = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (!Number.isFinite(seconds)) return "";
  if (seconds < 45) return "just now";
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} days ago`;
}

function matches(alert) {
  return (!state.kind || alert.kind === state.kind) &&
         (!state.severity || alert.severity === state.severity);
}

function renderAlert(alert, fresh) {
  const reasons = el("ul", { class: "reasons" });
  const squash = (text) => String(text || "").toLowerCase().replace(/[^a-z0-9]/g, "");
  for (const reason of alert.reasons || []) {
    const title = plain(reason.code, REASONS);
    const detail = reason.detail && squash(reason.detail) !== squash(title) ? ` — ${reason.detail}` : "";
    reasons.append(el("li", {}, el("strong", {}, title), detail));
  }
  const open = el("button", { type: "button", class: "open-customer",
                              dataset: { customer: alert.customer_id } },
                  "Open customer ", el("span", { class: "id" }, alert.customer_id));
  open.addEventListener("click", () => openCustomer(alert.customer_id));
  const item = el("li", {
    class: `alert severity-${alert.severity}${fresh ? " fresh" : ""}`,
    dataset: { kind: alert.kind, severity: alert.severity, alertId: alert.alert_id },
  },
    el("div", { class: "alert-head" },
      el("span", { class: `badge ${alert.severity}` }, alert.severity === "critical" ? "Critical" : "Warning"),
      el("h3", {}, plain(alert.kind, KINDS)),
      el("time", { datetime: alert.ts, title: formatTime(alert.ts) }, timeAgo(alert.ts))),
    el("p", { class: "action" }, el("span", { class: "label" }, "Do: "),
       plain(alert.recommended_action, ACTIONS)),
    reasons,
    el("div", { class: "alert-foot" }, open,
       el("span", { class: "scores" }, `Effort ${alert.effort_score} · Risk ${alert.risk_score}`),
       alert.contact_id ? el("span", { class: "contact" }, `Contact ${alert.contact_id}`) : null));
  return item;
}

function renderList() {
  const list = $("alerts");
  const shown = state.alerts.filter(matches);
  list.replaceChildren(...shown.map((a) => renderAlert(a, false)));
  updateCount(shown.length);
}

function updateCount(shown) {
  $("count").textContent = state.alerts.length ? `(${shown} of ${state.alerts.length})` : "";
  $("empty").hidden = shown > 0;
  $("empty").textContent = state.alerts.length
    ? "No alerts match the filter."
    : "No alerts yet. New ones appear here as they happen.";
}

function addAlert(alert, live) {
  if (!alert || !alert.alert_id || state.seen.has(alert.alert_id)) return;
  state.seen.add(alert.alert_id);
  state.alerts.unshift(alert);
  state.alerts.sort((a, b) => (a.ts < b.ts ? 1 : a.ts > b.ts ? -1 : 0));
  if (state.alerts.length > MAX_ITEMS) {
    for (const old of state.alerts.splice(MAX_ITEMS)) state.seen.delete(old.alert_id);
  }
  if (!live) return;
  if (matches(alert)) {
    const index = state.alerts.filter(matches).indexOf(alert);
    const list = $("alerts");
    list.insertBefore(renderAlert(alert, true), list.children[index] || null);
    while (list.children.length > MAX_ITEMS) list.lastElementChild.remove();
  }
  updateCount(state.alerts.filter(matches).length);
  if (state.customer === alert.customer_id) loadCustomer(alert.customer_id);
}

function setConnection(kind, text) {
  const node = $("connection");
  node.dataset.state = kind;
  node.textContent = text;
}

function connect() {
  const source = new EventSource("/alerts/stream");
  source.onopen = () => {
    setConnection("live", "Live");
    loadRecent();
  };
  source.onmessage = (message) => {
    try {
      addAlert(JSON.parse(message.data), true);
    } catch (err) {
      console.warn("cxpulse: bad alert in stream", err);
    }
  };
  source.onerror = () => setConnection("offline", "Reconnecting…");
}

async function loadRecent() {
  try {
    const response = await fetch("/alerts", { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    for (const alert of await response.json()) addAlert(alert, false);
    renderList();
  } catch (err) {
    setConnection("offline", "Could not load recent alerts");
  }
}

function scoreBlock(label, value, why) {
  const level = value >= 80 ? "high" : value >= 60 ? "raised" : "normal";
  return el("div", { class: `score ${level}` },
    el("div", { class: "score-label" }, label),
    el("div", { class: "score-value" }, String(value), el("span", {}, " / 100")),
    el("meter", { min: "0", max: "100", low: "40", high: "70", optimum: "0", value: String(value),
                  "aria-label": `${label} ${value} of 100` }),
    el("p", { class: "why" }, why));
}

function effortWhy(c) {
  const parts = [];
  if (c.sla_breaches_7d) parts.push(`${c.sla_breaches_7d} slow answer${c.sla_breaches_7d > 1 ? "s" : ""} in 7 days`);
  if (c.contacts_7d) parts.push(`${c.contacts_7d} contact${c.contacts_7d > 1 ? "s" : ""} in 7 days`);
  const s = c.session || {};
  if (s.failed_searches) parts.push(`${s.failed_searches} failed search${s.failed_searches > 1 ? "es" : ""}`);
  if (s.help_dwell_ms) parts.push(`${Math.round(s.help_dwell_ms / 1000)} s on help pages`);
  return parts.length ? parts.join(", ") : "No recent friction seen.";
}

function riskWhy(c) {
  const parts = [];
  if (c.effort_score >= 70) parts.push("high effort");
  if (c.contacts_7d >= 3) parts.push("3 or more contacts in 7 days");
  if (c.sla_breaches_7d >= 2) parts.push("2 or more slow answers in 7 days");
  const alerts = c.last_alerts || {};
  if (alerts.low_score) parts.push("a low survey score");
  if (alerts.at_risk) parts.push(`flagged at risk ${timeAgo(alerts.at_risk.ts)}`);
  return parts.length ? parts.join(", ") : "No risk signs seen.";
}

function renderCustomer(c) {
  const body = $("customer-body");
  const open = (c.open_contacts || []).map((x) =>
    el("li", {}, el("strong", {}, x.channel === "call" ? "Call" : "Chat"), ` ${x.contact_id} — opened ${formatTime(x.opened)}`,
       x.answered ? `, answered ${formatTime(x.answered)}` : ", not answered yet",
       x.sla_breached ? " (waited too long)" : ""));
  const timeline = [];
  for (const ts of c.recent_contacts || []) timeline.push({ ts, text: "Contacted us" });
  for (const x of c.open_contacts || []) timeline.push({ ts: x.opened, text: `Opened ${x.channel} ${x.contact_id}` });
  for (const a of state.alerts.filter((a) => a.customer_id === c.customer_id)) {
    const reasons = (a.reasons || []).map((r) => r.detail || plain(r.code, REASONS)).join("; ");
    timeline.push({ ts: a.ts, text: `${plain(a.kind, KINDS)} (${a.severity})${reasons ? ": " + reasons : ""}` });
  }
  timeline.sort((a, b) => (a.ts < b.ts ? 1 : a.ts > b.ts ? -1 : 0));
  body.replaceChildren(
    el("p", { class: "meta" }, `Tier ${c.tier === "unset" ? "standard" : c.tier} · last active ${formatTime(c.last_activity)} · as of ${formatTime(c.as_of)}`),
    el("div", { class: "scores-grid" },
      scoreBlock("Effort", c.effort_score, effortWhy(c)),
      scoreBlock("Risk", c.risk_score, riskWhy(c))),
    el("h3", {}, "Open contacts"),
    open.length ? el("ul", { class: "open-contacts" }, ...open) : el("p", { class: "none" }, "None open."),
    el("h3", {}, "Timeline"),
    timeline.length
      ? el("ol", { class: "timeline" }, ...timeline.map((t) =>
          el("li", {}, el("time", { datetime: t.ts }, formatTime(t.ts)), " ", t.text)))
      : el("p", { class: "none" }, "Nothing recent."));
}

async function loadCustomer(id) {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(`/customers/${encodeURIComponent(id)}`, { headers });
  } catch (err) {
    $("customer-body").replaceChildren(el("p", { class: "error" }, "The server did not answer."));
    return;
  }
  if (state.customer !== id) return;
  if (response.status === 401) {
    if (token) {
      sessionStorage.removeItem(TOKEN_KEY);
      $("token-error").textContent = "That token was not accepted.";
    }
    $("customer-body").replaceChildren();
    $("token-form").hidden = false;
    $("token-input").focus();
    return;
  }
  $("token-form").hidden = true;
  if (response.status === 404) {
    $("customer-body").replaceChildren(el("p", { class: "none" }, "No state for this customer on this instance."));
  } else if (!response.ok) {
    $("customer-body").replaceChildren(el("p", { class: "error" }, `Not available right now (HTTP ${response.status}). Try again in a moment.`));
  } else {
    renderCustomer(await response.json());
  }
}

function openCustomer(id) {
  state.customer = id;
  const section = $("customer");
  section.hidden = false;
  $("customer-title").textContent = `Customer ${id}`;
  $("customer-body").replaceChildren(el("p", {}, "Loading…"));
  $("token-error").textContent = "";
  $("customer-title").focus();
  loadCustomer(id);
}

function init() {
  $("filter-kind").addEventListener("change", (e) => { state.kind = e.target.value; renderList(); });
  $("filter-severity").addEventListener("change", (e) => { state.severity = e.target.value; renderList(); });
  $("filters").addEventListener("submit", (e) => e.preventDefault());
  $("customer-close").addEventListener("click", () => {
    state.customer = null;
    $("customer").hidden = true;
  });
  $("token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const value = $("token-input").value.trim();
    if (!value) return;
    sessionStorage.setItem(TOKEN_KEY, value);
    $("token-input").value = "";
    $("token-error").textContent = "";
    if (state.customer) loadCustomer(state.customer);
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && state.customer) $("customer-close").click();
  });
  setInterval(() => {
    for (const node of document.querySelectorAll(".alert time")) node.textContent = timeAgo(node.getAttribute("datetime"));
  }, 30000);
  connect();
}

document.addEventListener("DOMContentLoaded", init);
