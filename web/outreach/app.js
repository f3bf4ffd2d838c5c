// cxpulse outreach page: the rep's case queue (GET /cases, then live changes from the
// /cases/events stream), the case commands (POST /cases/{id}/claim|release|snooze|resolve) and
// the customer panel (panel.js). Plain JavaScript modules, no build step.
import { ACTIONS, OUTCOMES, age, el, formatTime, plain, severityWhy } from "/words.js";
import { renderPanel } from "/panel.js";

// The bearer token, kept in localStorage (every tab of this browser) until "Sign out".
const TOKEN_KEY = "cxpulse.token";
const RANK = { critical: 0, warning: 1 };
const STREAM_SILENCE_MS = 45000;  // the server sends a heartbeat every 15 s
const MAX_ROWS = 200;             // rows in the DOM; the filters narrow a bigger queue

const state = {
  rep: null,            // who the server says we are (GET /me)
  cases: new Map(),     // case_id -> case, every case not resolved
  loaded: false,        // the queue was loaded once: only then may the page say it is empty
  buffer: null,         // stream events that arrived while the queue was loading
  view: "unclaimed", severity: "", queue: "", search: "",
  open: null,           // case id in the panel
  fresh: new Map(),     // case_id -> time it arrived live (highlighted for a while)
  busy: new Set(),      // case ids with a command in flight
  resolving: null,      // the case in the resolve dialog
};

const $ = (id) => document.getElementById(id);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- the server ----------------------------------------------------------------------------

function authHeaders(extra = {}) {
  const headers = { ...extra };
  const token = localStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  return headers;
}

async function api(method, path, body) {
  const init = { method, headers: authHeaders({ Accept: "application/json" }), cache: "no-store" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (err) {
    return { status: 0, json: { error: "the server did not answer" } };
  }
  let json = {};
  try {
    json = await response.json();
  } catch (err) { /* empty or not JSON */ }
  if (response.status === 401) {
    const refused = localStorage.getItem(TOKEN_KEY);
    localStorage.removeItem(TOKEN_KEY);
    signIn(refused ? "That token was not accepted." : "");
  }
  return { status: response.status, json };
}

// Reads Server-Sent Events from a fetch body (EventSource cannot send the bearer token).
async function readEvents(response, controller, onData) {
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let last = Date.now();
  const watchdog = setInterval(() => {
    if (Date.now() - last > STREAM_SILENCE_MS) controller.abort();
  }, 5000);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      last = Date.now();
      buffer += value.replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split("\n").filter((l) => l.startsWith("data:"))
          .map((l) => l.slice(5).replace(/^ /, "")).join("\n");
        if (data) onData(data);
      }
    }
  } catch (err) { /* aborted or dropped: reconnect */ } finally {
    clearInterval(watchdog);
  }
}

function setConnection(kind, text) {
  $("connection").dataset.state = kind;
  $("connection").textContent = text;
}

// The stream first, then the queue: no change is lost between the two.
async function connect() {
  for (;;) {
    if (!state.rep) return;
    setConnection("connecting", state.loaded ? "Reconnecting…" : "Loading the queue…");
    const controller = new AbortController();
    let response;
    try {
      response = await fetch("/cases/events", {
        headers: authHeaders({ Accept: "text/event-stream" }), cache: "no-store",
        signal: controller.signal,
      });
    } catch (err) {
      await sleep(2000);
      continue;
    }
    if (response.status === 401) return signIn("Your sign-in is no longer accepted.");
    if (!response.ok) {
      setConnection("connecting", response.status === 503
        ? "The service is catching up with the case log…" : `Waiting for the server (HTTP ${response.status})…`);
      await sleep(response.status === 503 ? 1000 : 3000);
      continue;
    }
    state.buffer = [];
    const reading = readEvents(response, controller, onEvent);
    await loadQueue();
    await reading;
    await sleep(1000);
  }
}

async function loadQueue() {
  for (;;) {
    const { status, json } = await api("GET", "/cases");
    if (status === 401) return;
    if (status === 200) {
      state.cases.clear();
      for (const c of json.cases || []) if (c.status !== "resolved") state.cases.set(c.case_id, c);
      const buffered = state.buffer || [];
      state.buffer = null;
      for (const data of buffered) onEvent(data);
      state.loaded = true;
      setConnection("live", "Live");
      fillQueues();
      render();
      route();
      return;
    }
    setConnection("connecting", status === 503
      ? "The service is catching up with the case log…" : "Could not load the queue; retrying…");
    await sleep(1000);
  }
}

function onEvent(data) {
  if (state.buffer) {
    state.buffer.push(data);
    return;
  }
  let change;
  try {
    change = JSON.parse(data);
  } catch (err) {
    return;
  }
  applyCase(change, true);
}

// Takes a case the server sent (a command answer, an event, a GET) into the queue.
function applyCase(c, live) {
  if (!c || !c.case_id) return;
  const known = state.cases.has(c.case_id);
  if (c.removed || c.status === "resolved") {
    state.cases.delete(c.case_id);
  } else {
    state.cases.set(c.case_id, c);
    if (!known && live && state.loaded) state.fresh.set(c.case_id, Date.now());
  }
  if (state.open === c.case_id) {
    if (c.removed) showPanel(c.case_id);
    else showPanel(c.case_id, c);
  }
  scheduleRender();
}

// ---- the list ------------------------------------------------------------------------------

let renderQueued = false;
function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    fillQueues();
    render();
  });
}

function isMine(c) { return c.owner && c.owner === state.rep; }

function shown(c) {
  if (state.view === "unclaimed" && c.status !== "open") return false;
  if (state.view === "mine" && !isMine(c)) return false;
  if (state.severity && c.severity !== state.severity) return false;
  if (state.queue && c.queue !== state.queue) return false;
  if (state.search && !c.customer_id.toLowerCase().includes(state.search)) return false;
  return true;
}

// Severity, then age (longest waiting first), then id: the order of GET /cases.
function byUrgency(a, b) {
  return (RANK[a.severity] ?? 2) - (RANK[b.severity] ?? 2) ||
    (a.opened_at < b.opened_at ? -1 : a.opened_at > b.opened_at ? 1 : 0) ||
    (a.case_id < b.case_id ? -1 : 1);
}

// What a rep may do with a case now; the server decides (409 with the owner otherwise).
function actionButtons(c) {
  const busy = state.busy.has(c.case_id);
  const mine = isMine(c);
  const buttons = [];
  const button = (action, text, extra = {}) => {
    const b = el("button", { type: "button", class: `act act-${action}`, disabled: busy,
                             dataset: { action, caseId: c.case_id }, ...extra }, text);
    b.addEventListener("click", () => onAction(c.case_id, action));
    return b;
  };
  if (c.status === "open" && !mine) buttons.push(button("claim", "Claim", { class: "act act-claim primary" }));
  if (mine && c.status !== "claimed") buttons.push(button("claim", "Claim", { class: "act act-claim primary" }));
  if (mine) buttons.push(button("release", "Release"));
  if (mine || c.status === "open") {
    const snooze = el("select", { class: "act act-snooze", "aria-label": "Snooze", disabled: busy,
                                  dataset: { caseId: c.case_id } },
      el("option", { value: "" }, "Snooze…"), el("option", { value: "15m" }, "15 min"),
      el("option", { value: "1h" }, "1 hour"), el("option", { value: "tomorrow" }, "Tomorrow 9:00"));
    snooze.addEventListener("change", () => { if (snooze.value) onSnooze(c.case_id, snooze.value); });
    buttons.push(snooze);
  }
  if (mine) buttons.push(button("resolve", "Resolve…"));
  return buttons;
}

function ownerText(c) {
  if (c.status === "snoozed") return `Snoozed until ${formatTime(c.snoozed_until)}`;
  if (!c.owner) return c.escalated_at ? "Nobody, escalated" : "Nobody";
  const who = isMine(c) ? `${c.owner} (you)` : c.owner;
  return c.status === "claimed" ? who : `${who}, claim lapsed`;
}

function renderRow(c) {
  const why = severityWhy(c);
  const link = el("a", { href: `#case=${encodeURIComponent(c.case_id)}`, class: "customer-link" }, c.customer_id);
  return el("tr", {
    class: `case sev-${c.severity} status-${c.status}${isMine(c) ? " mine" : ""}${state.fresh.has(c.case_id) ? " fresh" : ""}${state.open === c.case_id ? " selected" : ""}`,
    dataset: { caseId: c.case_id, customer: c.customer_id, severity: c.severity, status: c.status },
  },
    el("td", { class: "c-sev", title: why.join(" · ") },
      el("span", { class: `badge ${c.severity}` }, c.severity === "critical" ? "Critical" : "Warning"),
      el("span", { class: "why" }, why.join(" · "))),
    el("td", { class: "c-cust" }, link),
    el("td", { class: "c-act" }, plain(c.recommended_action, ACTIONS)),
    el("td", { class: "c-tier" }, c.tier === "vip" ? el("strong", {}, "VIP") : c.tier ? plain(c.tier) : "—"),
    el("td", { class: "c-chan" }, c.channel ? plain(c.channel) : "—"),
    el("td", { class: "c-queue" }, c.queue || "—"),
    el("td", { class: "c-reason" }, c.reason ? plain(c.reason) : "—"),
    el("td", { class: "c-age" }, el("time", { datetime: c.opened_at, title: `Opened ${formatTime(c.opened_at)}` }, age(c.opened_at))),
    el("td", { class: "c-owner" }, ownerText(c)),
    el("td", { class: "c-buttons" }, actionButtons(c)));
}

function signature(c) {
  return JSON.stringify([c, state.rep, state.busy.has(c.case_id), state.fresh.has(c.case_id), state.open === c.case_id]);
}

function render() {
  const rows = $("rows");
  const all = [...state.cases.values()];
  const matching = all.filter(shown).sort(byUrgency);
  const visible = matching.slice(0, MAX_ROWS);
  const existing = new Map([...rows.children].map((r) => [r.dataset.caseId, r]));
  let previous = null;
  for (const c of visible) {
    let row = existing.get(c.case_id);
    const sig = signature(c);
    if (!row || row.dataset.sig !== sig) {
      const fresh = renderRow(c);
      fresh.dataset.sig = sig;
      if (row) row.replaceWith(fresh);
      row = fresh;
    }
    existing.delete(c.case_id);
    const wanted = previous ? previous.nextSibling : rows.firstChild;
    if (wanted !== row) rows.insertBefore(row, wanted);
    previous = row;
  }
  for (const row of existing.values()) row.remove();
  $("count").textContent = !state.loaded ? ""
    : matching.length > visible.length
      ? `first ${visible.length} of ${matching.length} matching (${all.length} open): narrow the filters`
      : `${visible.length} shown of ${all.length} open`;
  const empty = $("empty");
  empty.hidden = !state.loaded || visible.length > 0;
  empty.textContent = all.length === 0
    ? "No open cases. New ones appear here as alerts arrive."
    : state.view === "mine" && !state.severity && !state.queue && !state.search
      ? "You own no open case. Claim one from Unclaimed."
      : "No cases match these filters.";
  showNewCases(visible);
}

// A case that arrived live is highlighted; when it is out of sight a button says so.
function showNewCases(visible) {
  const now = Date.now();
  for (const [id, at] of state.fresh) if (now - at > 10000) state.fresh.delete(id);
  const wrap = document.querySelector(".table-wrap").getBoundingClientRect();
  const unseen = visible.filter((c) => state.fresh.has(c.case_id)).map((c) => document.querySelector(`tr[data-case-id="${c.case_id}"]`))
    .filter((row) => row && (row.getBoundingClientRect().top > wrap.bottom - 20 || row.getBoundingClientRect().bottom < wrap.top + 30));
  const button = $("new-cases");
  button.hidden = unseen.length === 0;
  button.textContent = `${unseen.length} new case${unseen.length === 1 ? "" : "s"} out of sight — show`;
  button.onclick = () => unseen[0] && unseen[0].scrollIntoView({ block: "center", behavior: "smooth" });
}

function fillQueues() {
  const select = $("filter-queue");
  const queues = [...new Set([...state.cases.values()].map((c) => c.queue).filter(Boolean))].sort();
  const have = [...select.options].slice(1).map((o) => o.value);
  if (state.queue && !queues.includes(state.queue)) queues.push(state.queue);
  if (have.join("\n") === queues.join("\n")) return;
  select.replaceChildren(el("option", { value: "" }, "All queues"),
    ...queues.map((q) => el("option", { value: q }, q)));
  select.value = state.queue;
}

// ---- commands ------------------------------------------------------------------------------

let toastTimer = null;
function toast(text, kind = "info") {
  const node = $("toast");
  node.textContent = text;
  node.dataset.kind = kind;
  node.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { node.hidden = true; }, 6000);
}

const DONE = { claim: "Claimed", release: "Released", snooze: "Snoozed", resolve: "Resolved" };

async function command(id, action, body) {
  const c = state.cases.get(id) || { case_id: id, customer_id: "" };
  state.busy.add(id);
  scheduleRender();
  const { status, json } = await api("POST", `/cases/${encodeURIComponent(id)}/${action}`, body);
  state.busy.delete(id);
  if (status === 200) {
    applyCase(json, false);
    const outcome = action === "resolve" ? ` (${plain(json.outcome, OUTCOMES)})` : "";
    toast(`${DONE[action]}: customer ${json.customer_id}${outcome}`, "ok");
  } else if (status === 409) {
    toast(json.owner && json.owner !== state.rep
      ? `Customer ${c.customer_id} is claimed by ${json.owner}` : `Not done: ${json.error}`, "error");
    refreshCase(id);
  } else if (status !== 401) {
    toast(`Not done: ${json.error || `HTTP ${status}`}`, "error");
  }
  scheduleRender();
  return { status, json };
}

async function refreshCase(id) {
  const { status, json } = await api("GET", `/cases/${encodeURIComponent(id)}`);
  if (status === 200) applyCase(json, false);
  else if (status === 404) applyCase({ case_id: id, removed: true }, false);
}

function onAction(id, action) {
  if (action === "resolve") return openResolve(id);
  command(id, action);
}

function snoozeUntil(choice, now = new Date()) {
  if (choice === "15m") return new Date(now.getTime() + 15 * 60000);
  if (choice === "1h") return new Date(now.getTime() + 60 * 60000);
  const tomorrow = new Date(now);
  tomorrow.setDate(tomorrow.getDate() + 1);
  tomorrow.setHours(9, 0, 0, 0);
  return tomorrow;
}

function onSnooze(id, choice) {
  command(id, "snooze", { until: snoozeUntil(choice).toISOString() });
}

function openResolve(id) {
  const c = state.cases.get(id);
  state.resolving = id;
  $("resolve-form").reset();
  $("resolve-error").textContent = "";
  $("resolve-customer").textContent = c ? `Customer ${c.customer_id} · ${plain(c.recommended_action, ACTIONS)}` : "";
  $("resolve-dialog").showModal();
}

async function submitResolve(event) {
  event.preventDefault();
  const outcome = new FormData($("resolve-form")).get("outcome");
  if (!outcome) {
    $("resolve-error").textContent = "Choose an outcome.";
    return;
  }
  const note = $("resolve-note").value.trim();
  $("resolve-submit").disabled = true;
  const { status, json } = await command(state.resolving, "resolve", note ? { outcome, note } : { outcome });
  $("resolve-submit").disabled = false;
  if (status === 200 || status === 409) $("resolve-dialog").close();
  else $("resolve-error").textContent = json.error || `HTTP ${status}`;
}

// ---- the panel and deep links (#case=<case_id>) --------------------------------------------

function route() {
  const match = /^#case=([^&]+)/.exec(location.hash);
  const customer = /^#customer=([^&]+)/.exec(location.hash);
  if (match) showPanel(decodeURIComponent(match[1]));
  else if (customer) showCustomer(decodeURIComponent(customer[1]));
  else hidePanel();
}

// #customer=<customer_id> (the link in a Slack or webhook notification of an alert): every case
// of that customer, whatever its status — the "All" view searched for the id.
function showCustomer(id) {
  hidePanel();
  const all = document.querySelector('.view[data-view="all"]');
  state.view = "all";
  for (const b of document.querySelectorAll(".view")) b.setAttribute("aria-pressed", String(b === all));
  $("search").value = id;
  state.search = id.trim().toLowerCase();
  render();
}

async function showPanel(id, known) {
  const first = state.open !== id;
  state.open = id;
  $("panel").hidden = false;
  $("panel-link").href = `#case=${encodeURIComponent(id)}`;
  let c = known || state.cases.get(id);
  if (!c) {
    const { status, json } = await api("GET", `/cases/${encodeURIComponent(id)}`);
    if (state.open !== id) return;
    if (status !== 200) {
      $("panel-title").textContent = "Unknown case";
      $("panel-body").replaceChildren(el("p", { class: "error" },
        status === 404 ? "No case with this id (it may have been resolved long ago)." : `Not available (HTTP ${status}).`));
      return;
    }
    c = json;
  }
  $("panel-title").textContent = `Customer ${c.customer_id}`;
  renderPanel($("panel-body"), c, { actionButtons, statusText: ownerText, authHeaders, refreshCustomer: first });
  if (first) $("panel-title").focus();
  scheduleRender();
}

function hidePanel() {
  if (!state.open) return;
  state.open = null;
  $("panel").hidden = true;
  scheduleRender();
}

// ---- sign-in -------------------------------------------------------------------------------

function signIn(message) {
  state.rep = null;
  $("main").hidden = true;
  $("sign-in").hidden = false;
  $("sign-in-error").textContent = message || "";
  setConnection("offline", "Signed out");
  $("token-input").focus();
}

async function start() {
  setConnection("connecting", "Connecting…");
  const { status, json } = await api("GET", "/me");
  if (status === 401) return;
  if (status === 404) {
    setConnection("offline", "No case queue");
    $("notice").hidden = false;
    $("notice").textContent = "This server has no case queue: it is a cxpulse processor. Reps work in the outreach service (cxpulse outreach).";
    return;
  }
  if (status !== 200) {
    setConnection("offline", "Server not answering; retrying…");
    await sleep(2000);
    return start();
  }
  state.rep = json.rep;
  $("rep").textContent = `Signed in as ${json.rep}`;
  $("sign-out").hidden = !localStorage.getItem(TOKEN_KEY);
  $("sign-in").hidden = true;
  $("main").hidden = false;
  render();
  connect();
}

function init() {
  for (const button of document.querySelectorAll(".view")) {
    button.addEventListener("click", () => {
      state.view = button.dataset.view;
      for (const b of document.querySelectorAll(".view")) b.setAttribute("aria-pressed", String(b === button));
      render();
    });
  }
  $("filter-severity").addEventListener("change", (e) => { state.severity = e.target.value; render(); });
  $("filter-queue").addEventListener("change", (e) => { state.queue = e.target.value; render(); });
  $("search").addEventListener("input", (e) => { state.search = e.target.value.trim().toLowerCase(); render(); });
  $("filters").addEventListener("submit", (e) => e.preventDefault());
  $("panel-close").addEventListener("click", () => {
    history.pushState(null, "", location.pathname + location.search);
    hidePanel();
  });
  window.addEventListener("hashchange", route);
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && state.open && !$("resolve-dialog").open) $("panel-close").click();
  });
  $("resolve-form").addEventListener("submit", submitResolve);
  $("resolve-cancel").addEventListener("click", () => $("resolve-dialog").close());
  $("sign-in").addEventListener("submit", (e) => {
    e.preventDefault();
    const value = $("token-input").value.trim();
    if (!value) return;
    localStorage.setItem(TOKEN_KEY, value);
    $("token-input").value = "";
    start();
  });
  $("sign-out").addEventListener("click", () => {
    localStorage.removeItem(TOKEN_KEY);
    location.reload();
  });
  // Another tab signed out (this one then asks for the token too) or signed in (this one, at the
  // form, goes on with that token).
  window.addEventListener("storage", (e) => {
    if (e.key !== TOKEN_KEY && e.key !== null) return;
    const token = localStorage.getItem(TOKEN_KEY);
    if (!token && state.rep && !$("sign-out").hidden) location.reload();
    else if (token && !state.rep && !$("sign-in").hidden) start();
  });
  setInterval(() => {
    for (const node of document.querySelectorAll(".c-age time")) node.textContent = age(node.getAttribute("datetime"));
    if (state.fresh.size) scheduleRender();
  }, 5000);
  start();
}

document.addEventListener("DOMContentLoaded", init);
