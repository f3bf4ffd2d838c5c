// Browser test of the outreach page (the rep's case queue) against a really running
// `cxpulse run` and `cxpulse outreach` on a real broker, on fresh topics and a fresh group.
// Events (traffic.mjs: generated traffic and one customer written by hand) go to the inputs;
// the processor raises alerts (exactly `cxpulse replay`'s of the same events), the outreach
// service folds them into cases; two reps work the queue in two browser contexts:
// ana signs in with a bearer token, ben comes "through an authenticating proxy"
// (X-Forwarded-User on every request). Checks: the queue is loaded before the page ever says it
// is empty; about 25 rows at 1400×900, sorted by severity then age; a new alert's case appears
// live in both pages; both reps click Claim on the same case at once and exactly one wins, the
// other sees the owner; snooze, release, resolve with an outcome and a note; the view, severity
// and queue filters and the customer search; a deep link opens the customer panel, which says
// the customer details are unavailable while the owning processor does not answer (paused), and
// otherwise shows the processor's state of the customer, forwarded by the outreach service
// (/customers/{id}: runtime/http/customer_router.h).
// Screenshots of the list and the panel go to WORK_DIR (and to SCREENSHOT_DIR when set).
//
// Environment: CXPULSE_BIN, KAFKA_BOOTSTRAP (default 127.0.0.1:19192), WORK_DIR, CHROMIUM
// (default /usr/bin/chromium), SCREENSHOT_DIR (optional). Exit 0 when every check passed, 1
// otherwise, 77 when Chromium is missing (ctest: skipped).
import { spawn, execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { LIVE, PANEL, firstBatch, liveCase } from "./traffic.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const binary = process.env.CXPULSE_BIN;
const bootstrap = process.env.KAFKA_BOOTSTRAP || "127.0.0.1:19192";
const workDir = process.env.WORK_DIR || join(here, "work");
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
const screenshotDir = process.env.SCREENSHOT_DIR || "";
const python = "/usr/bin/python3";
const helper = join(here, "kafka_helper.py");
const TOKENS = { ana: "tok-ana-browser-5d1e" };
// The processors' http.bearer_token: /customers/{id} and /alerts on `cxpulse run` need it, and
// the outreach service sends it with each forwarded lookup.
const PROCESSOR_TOKEN = "tok-processor-browser-77c3";

let passed = 0;
let failed = 0;
function log(message) {
  console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
}
function check(name, ok, detail = "") {
  if (ok) passed++;
  else failed++;
  log(`${ok ? "PASS" : "FAIL"} ${name}${!ok && detail ? ": " + detail : ""}`);
  return ok;
}
async function waitFor(what, condition, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition().catch(() => null);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// The page's CSP forbids eval, so no page.waitForFunction: poll the text instead.
async function waitText(page, selector, predicate, timeoutMs = 10000) {
  let last = "";
  try {
    return await waitFor(`${selector} text`, async () => predicate(last = (await page.textContent(selector)) || ""), timeoutMs);
  } catch (err) {
    throw new Error(`${err.message} (last: "${last}")`);
  }
}

if (!binary || !existsSync(binary)) {
  console.error("outreach_test: set CXPULSE_BIN to the cxpulse binary");
  process.exit(2);
}
if (!existsSync(chromiumPath)) {
  console.error(`outreach_test: ${chromiumPath} missing (tools/install_deps.sh browser); skipped`);
  process.exit(77);
}

const prefix = `browser-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
rmSync(workDir, { recursive: true, force: true });
mkdirSync(workDir, { recursive: true });
// A port nothing listens on now (the processor's http.listen), like itlib.free_port.
const freePort = () => new Promise((resolve, reject) => {
  const server = createServer().once("error", reject);
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});
const processorAddress = `127.0.0.1:${await freePort()}`;
const runConfigPath = join(workDir, "run.yaml");
writeFileSync(runConfigPath, `
state:
  dir: ${join(workDir, "state")}
kafka:
  bootstrap_servers: ${bootstrap}
  group_id: ${prefix}.group
  instance_id: p0
  idle_watermark_after: 0s
  commit_interval: 100ms
  topics:
    clicks: ${prefix}.clicks
    calls: ${prefix}.calls
    chats: ${prefix}.chats
    surveys: ${prefix}.surveys
    signals: ${prefix}.signals
    alerts: ${prefix}.alerts
    dead_letter: ${prefix}.deadletter
    changelog: ${prefix}.changelog
http:
  listen: ${processorAddress}
  bearer_token: ${PROCESSOR_TOKEN}
`);
// The outreach service finds the owner of a customer's partition in the processors' group.
const configPath = join(workDir, "outreach.yaml");
writeFileSync(configPath, `
kafka:
  bootstrap_servers: ${bootstrap}
  group_id: ${prefix}.group
  topics:
    clicks: ${prefix}.clicks
http:
  bearer_token: ${PROCESSOR_TOKEN}
outreach:
  topics:
    alerts: ${prefix}.alerts
    commands: ${prefix}.outreach
  listen: 127.0.0.1:0
  identity_header: X-Forwarded-User
  reps:
    - name: ana
      token_env: BROWSER_TOKEN_ANA
    - name: ben
      token_env: BROWSER_TOKEN_BEN
`);

// The first batch of events, and what `cxpulse replay` raises for them: the reference.
const inputPath = join(workDir, "input.jsonl");
firstBatch({ binary, python, helper, workDir, now: Date.now(), path: inputPath });
const replayDir = join(workDir, "replay");
mkdirSync(replayDir);
execFileSync(binary, ["-q", "replay", "--input", inputPath, "--output", join(replayDir, "alerts.jsonl"),
  "--signals", join(replayDir, "signals.jsonl"), "--dead-letter", join(replayDir, "dead.jsonl")]);
const expectedAlerts = readFileSync(join(replayDir, "alerts.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
const expectedCustomers = new Set(expectedAlerts.map((a) => a.customer_id));
const produceEvents = (path) => execFileSync(python, [helper, "produce", bootstrap, prefix, path], { stdio: "inherit" });

// Records, from the first script on, whether the page ever showed its empty message or
// "Live" without rows.
const watchEmpty = () => {
  window.__emptyShown = [];
  document.addEventListener("DOMContentLoaded", () => {
    const look = () => {
      const empty = document.getElementById("empty");
      const rows = document.querySelectorAll("#rows tr").length;
      const live = document.getElementById("connection").dataset.state === "live";
      if ((empty && !empty.hidden && empty.offsetParent !== null) || (live && rows === 0)) {
        window.__emptyShown.push(`${empty ? empty.textContent : ""} | live=${live} rows=${rows}`);
      }
    };
    new MutationObserver(look).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
};

let service = null;
let processor = null;
let processorExit = null;
let browser = null;
let exitCode = null;
try {
  execFileSync(python, [helper, "create", bootstrap, prefix], { stdio: "inherit" });
  produceEvents(inputPath);
  processor = spawn(binary, ["run", "--config", runConfigPath], { stdio: ["ignore", "ignore", "inherit"] });
  const processorExited = new Promise((resolve) => processor.on("exit", (code) => resolve(code)));
  processorExited.then((code) => { processorExit = code; });
  const processorGet = (path, token = PROCESSOR_TOKEN) =>
    fetch(`http://${processorAddress}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });

  service = spawn(binary, ["outreach", "--config", configPath], {
    stdio: ["ignore", "inherit", "pipe"],
    env: { ...process.env, BROWSER_TOKEN_ANA: TOKENS.ana, BROWSER_TOKEN_BEN: "tok-ben-unused-8a2b" },
  });
  let stderr = "";
  service.stderr.on("data", (chunk) => {
    stderr += chunk;
    process.stderr.write(chunk);
  });
  const exited = new Promise((resolve) => service.on("exit", (code) => resolve(code)));
  exited.then((code) => { exitCode = code; });
  const port = await waitFor("the HTTP listener", async () => {
    const match = /outreach: serving on port (\d+)/.exec(stderr);
    return match ? Number(match[1]) : null;
  }, 30000);
  const base = `http://127.0.0.1:${port}`;
  await waitFor("/readyz", async () => (await fetch(`${base}/readyz`)).status === 200, 90000);
  check("/readyz turns 200", true);
  await waitFor("the processor's /readyz", async () => {
    if (processorExit !== null) throw new Error(`cxpulse run exited ${processorExit}`);
    return (await processorGet("/readyz")).status === 200;
  }, 90000);
  const asAna = { Authorization: `Bearer ${TOKENS.ana}` };
  const api = async (path, headers = asAna) => (await fetch(base + path, { headers })).json();
  // Every alert replay raised, folded into cases (the processor commits them as it goes).
  const expectedIds = new Set(expectedAlerts.map((a) => a.alert_id));
  const cases = await waitFor("the processor's alerts folded into cases", async () => {
    if (processorExit !== null) throw new Error(`cxpulse run exited ${processorExit}`);
    const list = (await api("/cases")).cases;
    const held = list.flatMap((c) => c.alerts.map((a) => a.alert_id));
    return held.length === expectedIds.size && held.every((id) => expectedIds.has(id)) ? list : null;
  }, 120000);
  log(`${expectedAlerts.length} alerts from the processor in ${cases.length} cases`);
  check("the service folded the processor's alerts (replay's) into one case per customer",
        cases.length === expectedCustomers.size && cases.every((c) => expectedCustomers.has(c.customer_id)) &&
        cases.length >= 30, `${cases.length} cases for ${expectedCustomers.size} customers`);
  check("/alerts needs an identity", (await fetch(`${base}/alerts`)).status === 401);
  check("the processor's /alerts and /customers/{id} need its token, its probes do not",
        (await processorGet("/alerts", null)).status === 401 &&
        (await processorGet(`/customers/${expectedAlerts[0].customer_id}`, null)).status === 401 &&
        (await processorGet("/alerts")).status === 200 &&
        (await processorGet("/readyz", null)).status === 200 && (await processorGet("/metrics", null)).status === 200);
  check("/alerts lists the alerts read", (await api("/alerts")).length === expectedAlerts.length);

  browser = await chromium.launch({
    executablePath: chromiumPath, headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const viewport = { width: 1400, height: 900 };
  const consoleErrors = [];
  const watch = (page, who) => {
    // 401 before sign-in and 409 for the claim that loses the race are expected answers.
    page.on("console", (m) => {
      // /customers/{id} answers 503 while the processor is paused (the panel says so).
      const customerLookup = /status of 503/.test(m.text()) && /\/customers\//.test(m.location().url || "");
      if (m.type() === "error" && !/status of (401|409)/.test(m.text()) && !customerLookup) consoleErrors.push(`${who}: ${m.text()}`);
    });
    page.on("pageerror", (e) => consoleErrors.push(`${who}: ${e}`));
  };
  const anaContext = await browser.newContext({ viewport });
  const benContext = await browser.newContext({ viewport, extraHTTPHeaders: { "X-Forwarded-User": "ben" } });
  await anaContext.addInitScript(watchEmpty);
  await benContext.addInitScript(watchEmpty);
  const ana = await anaContext.newPage();
  const ben = await benContext.newPage();
  watch(ana, "ana");
  watch(ben, "ben");

  // ana: bearer token through the sign-in form.
  await ana.goto(base + "/");
  await ana.waitForSelector("#sign-in:not([hidden])", { timeout: 10000 });
  check("without an identity the page asks to sign in", true);
  await ana.fill("#token-input", "wrong-token");
  await ana.click("#sign-in button[type=submit]");
  await waitText(ana, "#sign-in-error", (t) => t.includes("not accepted"));
  check("a wrong token is refused", true);
  await ana.fill("#token-input", TOKENS.ana);
  await ana.click("#sign-in button[type=submit]");
  await ana.waitForSelector('#connection[data-state="live"]', { timeout: 15000 });
  check("signed in with the token, stream live", (await ana.innerText("#rep")).includes("ana"));
  check("token kept in localStorage", (await ana.evaluate(() => localStorage.getItem("cxpulse.token"))) === TOKENS.ana);

  // ben: the proxy header, no sign-in.
  await ben.goto(base + "/");
  await ben.waitForSelector('#connection[data-state="live"]', { timeout: 15000 });
  check("behind the proxy header no sign-in is needed", (await ben.innerText("#rep")).includes("ben") &&
        await ben.isHidden("#sign-in"));
  for (const [who, page] of [["ana", ana], ["ben", ben]]) {
    const shown = await page.evaluate(() => window.__emptyShown);
    check(`${who}: the queue loaded before the page ever said it is empty`, shown.length === 0, shown.join(" / "));
  }
  await ana.evaluate(() => { window.__noReload = "still-here"; });

  // The list: dense, sorted, every column.
  const rowsInView = (page) => page.evaluate(() => {
    const wrap = document.querySelector(".table-wrap").getBoundingClientRect();
    return [...document.querySelectorAll("#rows tr")].filter((r) => {
      const box = r.getBoundingClientRect();
      return box.top >= wrap.top && box.bottom <= Math.min(wrap.bottom, window.innerHeight);
    }).length;
  });
  await ana.click('.view[data-view="all"]');
  const inView = await rowsInView(ana);
  check("about 25 rows fit at 1400×900", inView >= 24, `${inView} rows in view`);
  const rowData = (page) => page.$$eval("#rows tr", (rows) => rows.map((r) => ({
    id: r.dataset.caseId, customer: r.dataset.customer, severity: r.dataset.severity, status: r.dataset.status,
    opened: r.querySelector(".c-age time").getAttribute("datetime"),
    queue: r.querySelector(".c-queue").textContent, owner: r.querySelector(".c-owner").textContent,
    text: r.innerText,
  })));
  let rows = await rowData(ana);
  check("every open case is a row", rows.length === cases.length, `${rows.length} rows`);
  const sorted = rows.every((r, i) => i === 0 ||
    (rows[i - 1].severity === r.severity ? rows[i - 1].opened <= r.opened
                                         : rows[i - 1].severity === "critical"));
  check("sorted by severity, then age", sorted);
  const sampleRow = rows.find((r) => r.text.includes("VIP") && r.text.includes("Phone"));
  const anyRow = sampleRow || rows[0];
  check("a row says what to do, why, tier, channel, queue, reason, age, owner",
        /Call the customer back|Apologise|Own the issue|Have a manager call|Offer a chat/.test(anyRow.text) &&
        /critical|warning/i.test(anyRow.text) && /VIP|Standard/.test(anyRow.text) && anyRow.owner.startsWith("Nobody"),
        anyRow.text);
  const withContext = rows.find((r) => r.queue !== "—");
  check("rows carry the contact's queue and channel", withContext !== undefined &&
        /Phone|Chat/.test(withContext.text), withContext && withContext.text);

  // A new case arrives live, in both pages, highlighted, in its sorted place: a VIP abandons a
  // billing chat after 92 s without an agent, and the processor raises a critical sla_breach.
  const livePath = join(workDir, "live.jsonl");
  liveCase({ python, helper, now: Date.now(), path: livePath });
  const produced = Date.now();
  produceEvents(livePath);
  const freshRow = (page) => page.locator(`#rows tr[data-customer="${LIVE.customer}"]`);
  await freshRow(ana).waitFor({ timeout: 20000 });
  await freshRow(ben).waitFor({ timeout: 20000 });
  log(`new case visible ${Date.now() - produced} ms after producing`);
  check("a new case appears live in both pages", true);
  check("page was not reloaded", (await ana.evaluate(() => window.__noReload)) === "still-here");
  const freshText = await freshRow(ana).innerText();
  check("the new row says why: VIP, abandoned", freshText.includes("VIP") && freshText.includes("abandoned"), freshText);
  check("the new row is highlighted", (await freshRow(ana).getAttribute("class")).includes("fresh"));
  rows = await rowData(ana);
  const at = rows.findIndex((r) => r.customer === LIVE.customer);
  check("the new case sits after the older critical cases and before the warnings",
        at > 0 && rows[at - 1].severity === "critical" && (at === rows.length - 1 || rows[at + 1].severity === "warning"),
        `index ${at}`);
  const freshCase = rows[at].id;

  // The claim race: both click Claim on the new case at once.
  await ben.click('.view[data-view="unclaimed"]');
  await ana.click('.view[data-view="unclaimed"]');
  const claimA = freshRow(ana).locator(".act-claim");
  const claimB = freshRow(ben).locator(".act-claim");
  await Promise.all([claimA.waitFor(), claimB.waitFor()]);
  // Both buttons are taken first and clicked in the same tick of the test: a slow second click
  // must not find the row already gone from Unclaimed (the first claim's event removes it).
  const [buttonA, buttonB] = await Promise.all([claimA.elementHandle(), claimB.elementHandle()]);
  await Promise.all([buttonA.evaluate((b) => b.click()), buttonB.evaluate((b) => b.click())]);
  const owner = await waitFor("the claim answer", async () => {
    const c = await api(`/cases/${freshCase}`);
    return c.status === "claimed" ? c.owner : null;
  }, 15000);
  const winner = owner === "ana" ? ana : ben;
  const loser = owner === "ana" ? ben : ana;
  const loserName = owner === "ana" ? "ben" : "ana";
  check("exactly one rep owns the case", owner === "ana" || owner === "ben", owner);
  await waitText(winner, "#toast", (t) => t.startsWith("Claimed:"));
  check(`the winner (${owner}) is told it is theirs`, true);
  await waitText(loser, "#toast", (t) => t.includes(`claimed by ${owner}`));
  check(`the loser (${loserName}) sees the owner`, true);
  await loser.click('.view[data-view="all"]');
  await waitFor("the owner in the loser's row", async () =>
    (await freshRow(loser).locator(".c-owner").innerText()) === owner, 10000);
  check("the loser's row names the owner and offers no claim", (await freshRow(loser).locator(".act-claim").count()) === 0);
  await winner.click('.view[data-view="all"]');
  check("the winner's row says (you)", (await freshRow(winner).locator(".c-owner").innerText()) === `${owner} (you)`);

  // Filters and search (ana).
  await ana.click('.view[data-view="mine"]');
  const mine = await rowData(ana);
  check("Mine shows only ana's cases", mine.every((r) => r.owner.startsWith("ana")) &&
        (owner === "ana" ? mine.length === 1 : mine.length === 0), JSON.stringify(mine.map((r) => r.owner)));
  await ana.click('.view[data-view="all"]');
  await ana.selectOption("#filter-severity", "critical");
  const critical = await rowData(ana);
  check("the severity filter", critical.length > 0 && critical.every((r) => r.severity === "critical") &&
        critical.length === cases.filter((c) => c.severity === "critical").length + 1, `${critical.length}`);
  await ana.selectOption("#filter-severity", "");
  const queueName = cases.find((c) => c.queue && c.status === "open").queue;
  await ana.selectOption("#filter-queue", queueName);
  const inQueue = await rowData(ana);
  check(`the queue filter (${queueName})`, inQueue.length > 0 && inQueue.every((r) => r.queue === queueName),
        JSON.stringify(inQueue.map((r) => r.queue)));
  await ana.selectOption("#filter-queue", "");
  const someone = cases[cases.length - 1].customer_id;
  await ana.fill("#search", someone);
  const found = await rowData(ana);
  check("search by customer id", found.length === 1 && found[0].customer === someone, JSON.stringify(found.map((r) => r.customer)));
  await ana.fill("#search", "no-such-customer");
  await ana.waitForSelector("#empty:not([hidden])");
  check("an empty search says nothing matches", (await ana.innerText("#empty")).includes("No cases match"));
  await ana.fill("#search", "");

  // Snooze and release (ana on an unclaimed warning case), then resolve (the winner).
  await ana.click('.view[data-view="unclaimed"]');
  // (The hand-written customer's case stays open for the panel below.)
  const target = (await rowData(ana)).filter((r) => r.severity === "warning" && r.customer !== PANEL.customer).pop();
  await ana.locator(`#rows tr[data-case-id="${target.id}"] .act-snooze`).selectOption("15m");
  await waitFor("the snooze", async () => (await api(`/cases/${target.id}`)).status === "snoozed", 15000);
  await ana.waitForSelector(`#rows tr[data-case-id="${target.id}"]`, { state: "detached", timeout: 10000 });
  check("snooze 15 min takes the case out of Unclaimed", true);
  await ana.click('.view[data-view="all"]');
  check("All shows it snoozed", (await ana.locator(`#rows tr[data-case-id="${target.id}"] .c-owner`).innerText()).startsWith("Snoozed until"));
  const second = (await rowData(ana)).find((r) => r.status === "open" && r.customer !== PANEL.customer);
  await ana.locator(`#rows tr[data-case-id="${second.id}"] .act-claim`).click();
  await waitFor("ana's claim", async () => (await api(`/cases/${second.id}`)).owner === "ana", 15000);
  await ana.locator(`#rows tr[data-case-id="${second.id}"] .act-release`).click();
  await waitFor("ana's release", async () => {
    const c = await api(`/cases/${second.id}`);
    return c.status === "open" && !c.owner;
  }, 15000);
  check("claim then release", true);

  await winner.click('.view[data-view="mine"]');
  await freshRow(winner).locator(".act-resolve").click();
  await winner.waitForSelector("#resolve-dialog[open]");
  await winner.click("#resolve-submit");
  check("resolve without an outcome is stopped", (await winner.innerText("#resolve-error")).includes("outcome"));
  await winner.check('#resolve-form input[value="reached"]');
  await winner.fill("#resolve-note", "Called back; refund issued");
  await winner.click("#resolve-submit");
  const resolved = await waitFor("the resolve", async () => {
    const c = await api(`/cases/${freshCase}`);
    return c.status === "resolved" ? c : null;
  }, 15000);
  check("resolved with the outcome and the note", resolved.outcome === "reached" &&
        resolved.note === "Called back; refund issued" && resolved.owner === owner, JSON.stringify(resolved));
  await freshRow(winner).waitFor({ state: "detached", timeout: 10000 });
  await freshRow(loser).waitFor({ state: "detached", timeout: 10000 });
  check("the resolved case leaves both queues", true);

  // Time alone changes a case (a deadline, not a record): a snooze that ends reopens the case
  // in a page that did nothing. Ben snoozes a case through the API for 2 s.
  await ana.click('.view[data-view="unclaimed"]');
  const napper = (await rowData(ana)).find((r) => r.customer !== PANEL.customer);
  const snoozed = await fetch(`${base}/cases/${napper.id}/snooze`, {
    method: "POST", headers: { "X-Forwarded-User": "ben", "Content-Type": "application/json" },
    body: JSON.stringify({ until: new Date(Date.now() + 2000).toISOString() }),
  });
  check("ben snoozes a case for 2 s", snoozed.status === 200, `HTTP ${snoozed.status}`);
  await ana.waitForSelector(`#rows tr[data-case-id="${napper.id}"]`, { state: "detached", timeout: 10000 });
  const napped = Date.now();
  await ana.waitForSelector(`#rows tr[data-case-id="${napper.id}"]`, { timeout: 30000 });
  log(`the snoozed case came back ${Date.now() - napped} ms later`);
  check("the case is back in Unclaimed when the snooze ends, without a reload",
        (await ana.evaluate(() => window.__noReload)) === "still-here");

  // Deep link: the customer panel of the hand-written customer's case (several alerts). While
  // the processor that owns the customer does not answer (SIGSTOP), the outreach service's
  // forward of /customers/{id} times out: 503, and the panel says the details are unavailable.
  const rich = cases.find((c) => c.customer_id === PANEL.customer);
  if (!rich || rich.alerts.length < 2) throw new Error(`no case with several alerts for ${PANEL.customer}`);
  const linked = await benContext.newPage();
  watch(linked, "ben-link");
  let panelText = "";
  processor.kill("SIGSTOP");
  try {
    await linked.goto(`${base}/#case=${rich.case_id}`);
    await linked.waitForSelector("#panel:not([hidden]) .panel-alerts", { timeout: 15000 });
    await linked.waitForSelector("#panel .panel-customer", { timeout: 15000 });
    panelText = await linked.innerText("#panel");
  } finally {
    processor.kill("SIGCONT");
  }
  check("the deep link opens the customer panel", panelText.includes(`Customer ${rich.customer_id}`), panelText.slice(0, 200));
  check("the panel lists the case's alerts and reasons", panelText.includes(`Alerts (${rich.alerts.length})`) &&
        rich.alerts.every((a) => a.reasons.every((r) => panelText.includes(r.detail) || panelText.includes(r.code))), panelText);
  check("while the owning processor does not answer the panel says the details are unavailable (HTTP 503)",
        panelText.includes("Customer details are unavailable") && panelText.includes("HTTP 503"), panelText);
  await linked.click('.view[data-view="all"]');
  check("the row of the linked case is selected",
        (await linked.locator(`#rows tr[data-case-id="${rich.case_id}"]`).getAttribute("class") || "").includes("selected"));
  await linked.click("#panel-close");
  check("closing the panel drops the link", !(await linked.evaluate(() => location.hash)));
  // A notification's link to the customer (runtime/notify: public_url/#customer=<id>).
  await linked.goto(`${base}/#customer=${encodeURIComponent(rich.customer_id)}`);
  await linked.waitForFunction((id) => document.getElementById("search").value === id, rich.customer_id, { timeout: 15000 });
  await linked.waitForSelector(`#rows tr[data-case-id="${rich.case_id}"]`, { timeout: 15000 });
  const customerRows = await linked.locator("#rows tr[data-case-id]").count();
  check("a #customer= link shows that customer's cases (All, searched)",
        customerRows >= 1 && (await linked.getAttribute('.view[data-view="all"]', "aria-pressed")) === "true", `${customerRows} rows`);

  // Screenshots: the list (ana, All) and the panel.
  await ana.click('.view[data-view="all"]');
  await ana.evaluate(() => {
    document.querySelector(".table-wrap").scrollTo(0, 0);
    document.getElementById("toast").hidden = true;
  });
  await ana.waitForTimeout(300);
  const listShot = join(workDir, "outreach-list.png");
  await ana.screenshot({ path: listShot });
  // The processor answers again (resumed): /customers/{id} on the outreach service is forwarded to
  // it and passes its answer through unchanged.
  const viaOutreach = await waitFor("/customers/{id} through the outreach service", async () => {
    const response = await fetch(`${base}/customers/${PANEL.customer}`, { headers: asAna });
    return response.status === 200 ? response.text() : null;
  }, 60000);
  const direct = await (await processorGet(`/customers/${PANEL.customer}`)).text();
  check("/customers/{id} on the outreach service is the owning processor's answer", viaOutreach === direct,
        `${viaOutreach.slice(0, 300)} vs ${direct.slice(0, 300)}`);
  const state = JSON.parse(direct);
  const call = (state.open_contacts || []).find((x) => x.contact_id === PANEL.call);
  const survey = (state.surveys || [])[0];
  check("the processor's state holds the events: VIP, 2 contacts, the open unanswered call in retention about cancel, the NPS 1 answer with its comment, risk from it and the cancel page",
        state.tier === "vip" && state.contacts_7d === 2 && call !== undefined && call.queue === "retention" &&
        call.reason === "cancel" && call.sla_breached === true && call.answered === null && state.risk_score >= 60 &&
        state.score_reasons.risk.some((r) => r.code === "survey_or_cancel_intent") && state.surveys.length === 1 &&
        survey.survey === "nps" && survey.score === 1 && survey.contact_id === PANEL.chat && survey.comment === PANEL.comment, direct);
  await ana.goto(`${base}/#case=${rich.case_id}`);
  await ana.waitForSelector("#panel .panel-customer .scores-grid", { timeout: 15000 });
  const facts = await ana.innerText("#panel .facts");
  check("the panel shows the case's context", facts.includes("Opened") && facts.includes("Queue") && !facts.includes("[object"), facts);
  await ana.waitForTimeout(300);
  const panelShot = join(workDir, "outreach-panel.png");
  await ana.screenshot({ path: panelShot });
  log(`screenshots: ${listShot}, ${panelShot}`);
  if (screenshotDir) {
    mkdirSync(screenshotDir, { recursive: true });
    copyFileSync(listShot, join(screenshotDir, "outreach-list.png"));
    copyFileSync(panelShot, join(screenshotDir, "outreach-panel.png"));
  }

  // The panel with the customer's details, in a new tab: what the processor knows, forwarded.
  const detailed = await benContext.newPage();
  watch(detailed, "ben-customer");
  await detailed.goto(`${base}/#case=${rich.case_id}`);
  await detailed.waitForSelector("#panel .panel-customer .scores-grid", { timeout: 15000 });
  const customerText = await detailed.innerText("#panel .panel-customer");
  const reasons = [...state.score_reasons.effort, ...state.score_reasons.risk].map((r) => r.detail);
  check("the panel shows the processor's tier, scores and what drives them",
        customerText.includes("Tier vip") && customerText.includes(`${state.effort_score} / 100`) &&
        customerText.includes(`${state.risk_score} / 100`) && reasons.length > 0 &&
        reasons.every((r) => customerText.includes(r)), customerText);
  check("the panel shows the open call with its queue and reason, unanswered and waiting too long",
        customerText.includes(PANEL.call) && customerText.includes("queue retention") && customerText.includes("reason Cancel") &&
        customerText.includes("not answered yet") && customerText.includes("waited too long") &&
        customerText.includes("2 contact(s) in the recent history"), customerText);
  check("the panel shows the survey answer with its contact and the customer's comment",
        customerText.includes("NPS 1") && customerText.includes(PANEL.chat) && customerText.includes(PANEL.comment) &&
        !customerText.includes("No survey answer on record"), customerText);
  await detailed.evaluate(() => {
    document.getElementById("toast").hidden = true;
    document.querySelector("#panel .panel-customer").scrollIntoView();
  });
  const customerShot = join(workDir, "outreach-customer.png");
  await detailed.screenshot({ path: customerShot });
  if (screenshotDir) copyFileSync(customerShot, join(screenshotDir, "outreach-customer.png"));

  // The token is kept in localStorage: a deep link in a new tab of ana's browser opens signed
  // in; Sign out there forgets it in every tab (ana's first tab goes back to the form too).
  const anaTab = await anaContext.newPage();
  watch(anaTab, "ana-tab");
  await anaTab.goto(`${base}/#case=${rich.case_id}`);
  await anaTab.waitForSelector('#connection[data-state="live"]', { timeout: 15000 });
  await anaTab.waitForSelector("#panel:not([hidden]) .panel-alerts", { timeout: 15000 });
  check("a deep link in a new tab opens signed in, without asking for the token",
        (await anaTab.innerText("#rep")).includes("ana") && await anaTab.isHidden("#sign-in") &&
        (await anaTab.innerText("#panel")).includes(`Customer ${rich.customer_id}`));
  await anaTab.click("#sign-out");
  await anaTab.waitForSelector("#sign-in:not([hidden])", { timeout: 10000 });
  await ana.waitForSelector("#sign-in:not([hidden])", { timeout: 10000 });
  check("Sign out forgets the token in every tab of the browser",
        (await anaTab.evaluate(() => localStorage.getItem("cxpulse.token"))) === null &&
        await ana.isVisible("#sign-in") && await ana.isHidden("#main"));

  check("no errors in the page consoles", consoleErrors.length === 0, consoleErrors.join(" | "));

  await browser.close();
  browser = null;
  service.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 30000))]);
  check("cxpulse outreach stops cleanly on SIGTERM", exitCode === 0, `exit ${exitCode}`);
  service = null;
  processor.kill("SIGTERM");
  await Promise.race([processorExited, new Promise((r) => setTimeout(r, 60000))]);
  check("cxpulse run stops cleanly on SIGTERM", processorExit === 0, `exit ${processorExit}`);
  processor = null;
} catch (err) {
  check("browser test ran to the end", false, err.stack || String(err));
} finally {
  if (browser) await browser.close().catch(() => {});
  if (service && exitCode === null) service.kill("SIGKILL");
  if (processor && processorExit === null) processor.kill("SIGKILL");
  try {
    execFileSync(python, [helper, "delete", bootstrap, prefix], { stdio: "inherit" });
  } catch (err) {
    log(`topic cleanup failed: ${err}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed || !passed ? 1 : 0);
