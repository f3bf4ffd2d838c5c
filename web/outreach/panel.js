// cxpulse outreach page: the customer panel. What the case holds (its alerts and reasons,
// context, the commands) and, from GET /customers/{id}, the customer's scores, contacts with
// their reasons, survey answers and comments. When that lookup fails (404, 503, no answer) the
// panel says so and shows what the case holds.
import { ACTIONS, KINDS, REASONS, STATUSES, age, el, formatTime, plain, severityWhy } from "/words.js";

// Customer JSON by customer id, kept while the panel shows it (refetched on open).
let customer = { id: null, result: null };

function caseSection(c, ctx) {
  const why = severityWhy(c);
  const facts = [
    ["Status", `${plain(c.status, STATUSES)} · ${ctx.statusText(c)}`],
    ["Opened", `${formatTime(c.opened_at)} (${age(c.opened_at)} ago)`],
    ["Tier", c.tier === "vip" ? "VIP" : c.tier ? plain(c.tier) : "—"],
    ["Channel", c.channel ? plain(c.channel) : "—"],
    ["Queue", c.queue || "—"],
    ["Reason", c.reason ? plain(c.reason) : "—"],
  ];
  if (c.escalated_at) facts.push(["Escalated", formatTime(c.escalated_at)]);
  if (c.resolved_at) facts.push(["Resolved", `${formatTime(c.resolved_at)} · ${plain(c.outcome)}${c.note ? ` — ${c.note}` : ""}`]);
  return el("section", { class: "panel-case" },
    el("p", { class: "panel-sev" },
      el("span", { class: `badge ${c.severity}` }, c.severity === "critical" ? "Critical" : "Warning"),
      " ", why.join(" · ")),
    el("p", { class: "panel-do" }, el("span", { class: "label" }, "Do: "), plain(c.recommended_action, ACTIONS)),
    el("dl", { class: "facts" }, facts.map(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])),
    c.status === "resolved" ? null : el("div", { class: "panel-buttons" }, ctx.actionButtons(c)));
}

function reasonItems(reasons) {
  const squash = (text) => String(text || "").toLowerCase().replace(/[^a-z0-9]/g, "");
  return (reasons || []).map((r) => {
    const title = plain(r.code, REASONS);
    const detail = r.detail && squash(r.detail) !== squash(title) ? ` — ${r.detail}` : "";
    return el("li", {}, el("strong", {}, title), detail);
  });
}

function alertsSection(c) {
  const alerts = [...(c.alerts || [])].reverse();
  return el("section", { class: "panel-alerts" },
    el("h3", {}, `Alerts (${alerts.length})`),
    el("ol", { class: "alert-list" }, alerts.map((a) =>
      el("li", { class: `sev-${a.severity}`, dataset: { kind: a.kind } },
        el("div", { class: "alert-line" },
          el("span", { class: `badge small ${a.severity}` }, a.severity === "critical" ? "Critical" : "Warning"),
          el("strong", {}, plain(a.kind, KINDS)),
          el("time", { datetime: a.ts }, formatTime(a.ts))),
        el("ul", { class: "reasons" }, reasonItems(a.reasons))))));
}

function scoreBlock(label, value, reasons) {
  const level = value >= 80 ? "high" : value >= 60 ? "raised" : "normal";
  return el("div", { class: `score ${level}` },
    el("div", { class: "score-label" }, label),
    el("div", { class: "score-value" }, String(value ?? "—"), el("span", {}, " / 100")),
    reasons && reasons.length
      ? el("ul", { class: "why" }, reasons.map((r) => el("li", {}, r.detail || plain(r.code))))
      : el("p", { class: "why" }, "Nothing adds to it now."));
}

function contactItem(x) {
  const parts = [];
  if (x.queue) parts.push(`queue ${x.queue}`);
  if (x.reason) parts.push(`reason ${plain(x.reason)}`);
  const state = [];
  if (x.opened) state.push(`opened ${formatTime(x.opened)}`);
  if (x.answered) state.push(`answered ${formatTime(x.answered)}`);
  else if (x.opened && !x.closed) state.push("not answered yet");
  if (x.closed) state.push(`closed ${formatTime(x.closed)}`);
  if (x.sla_breached) state.push("waited too long");
  if (x.abandoned) state.push("abandoned");
  return el("li", { class: "contact" },
    el("strong", {}, plain(x.channel)), ` ${x.contact_id || ""}`,
    parts.length ? ` · ${parts.join(" · ")}` : "",
    el("div", { class: "meta" }, state.join(", ")),
    x.reasons && x.reasons.length ? el("ul", { class: "reasons" }, reasonItems(x.reasons)) : null);
}

function surveyItem(s) {
  return el("li", { class: "survey" },
    el("strong", {}, String(s.survey || s.kind || "survey").toUpperCase()), ` ${s.score}`,
    s.ts ? el("span", { class: "meta" }, ` · ${formatTime(s.ts)}`) : null,
    s.contact_id ? el("span", { class: "meta" }, ` · ${s.contact_id}`) : null,
    s.comment ? el("blockquote", {}, s.comment) : null);
}

function customerSection(data) {
  const contacts = data.contacts || data.open_contacts || [];
  const surveys = data.surveys || [];
  const reasons = data.score_reasons || {};
  return el("section", { class: "panel-customer" },
    el("h3", {}, "Customer"),
    el("p", { class: "meta" }, `Tier ${data.tier === "unset" || !data.tier ? "standard" : data.tier} · last active ${formatTime(data.last_activity)} · as of ${formatTime(data.as_of)}`),
    el("div", { class: "scores-grid" },
      scoreBlock("Effort", data.effort_score, reasons.effort),
      scoreBlock("Risk", data.risk_score, reasons.risk)),
    el("h3", {}, "Contacts"),
    contacts.length ? el("ul", { class: "contacts" }, contacts.map(contactItem)) : el("p", { class: "none" }, "No contact on record."),
    el("h3", {}, "Survey answers"),
    surveys.length ? el("ul", { class: "surveys" }, surveys.map(surveyItem)) : el("p", { class: "none" }, "No survey answer on record."),
    data.recent_contacts ? el("p", { class: "meta" }, `${data.recent_contacts.length} contact(s) in the recent history.`) : null);
}

function unavailable(result) {
  const why = result.status ? `HTTP ${result.status}${result.error ? `: ${result.error}` : ""}` : result.error;
  return el("section", { class: "panel-customer unavailable" },
    el("h3", {}, "Customer"),
    el("p", { class: "notice" }, `Customer details are unavailable right now (${why}). Showing what the case holds: its alerts and reasons above.`));
}

async function loadCustomer(id, authHeaders) {
  try {
    const response = await fetch(`/customers/${encodeURIComponent(id)}`, {
      headers: authHeaders({ Accept: "application/json" }), cache: "no-store",
    });
    let json = {};
    try { json = await response.json(); } catch (err) { /* not JSON */ }
    return response.ok ? { ok: true, data: json } : { ok: false, status: response.status, error: json.error };
  } catch (err) {
    return { ok: false, status: 0, error: "the server did not answer" };
  }
}

// What the panel shows now (a late customer answer draws the latest case).
let shown = null;

function draw() {
  const { body, c, ctx } = shown;
  const result = customer.id === c.customer_id ? customer.result : null;
  body.replaceChildren(caseSection(c, ctx), alertsSection(c),
    !result ? el("p", { class: "meta loading" }, "Loading the customer…")
      : result.ok ? customerSection(result.data) : unavailable(result));
}

// Shows case `c` in `body`; ctx: {actionButtons(c), statusText(c), authHeaders(extra),
// refreshCustomer (fetch /customers/{id} again)}.
export function renderPanel(body, c, ctx) {
  shown = { body, c, ctx };
  if (ctx.refreshCustomer || customer.id !== c.customer_id) {
    customer = { id: c.customer_id, result: null };
    loadCustomer(c.customer_id, ctx.authHeaders).then((result) => {
      if (customer.id !== c.customer_id) return;
      customer.result = result;
      if (shown && shown.c.customer_id === c.customer_id) draw();
    });
  }
  draw();
}
