// Browser test of the outreach page against a really running `cxpulse run` on a real broker:
// the page is loaded in headless Chromium, a struggling customer's events are produced, the
// needs_help alert must appear live (no reload), the customer view opens (after the bearer
// token prompt) and a screenshot is saved.
//
// Environment: CXPULSE_BIN (the binary), KAFKA_BOOTSTRAP (default 127.0.0.1:19192), WORK_DIR
// (scratch; the screenshot goes to WORK_DIR/outreach.png), CHROMIUM (default /usr/bin/chromium).
// Exit 0 when every check passed, 1 otherwise, 77 when Chromium is missing (ctest: skipped).
import { spawn, execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const binary = process.env.CXPULSE_BIN;
const bootstrap = process.env.KAFKA_BOOTSTRAP || "127.0.0.1:19192";
const workDir = process.env.WORK_DIR || join(here, "work");
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
const python = "/usr/bin/python3";
const helper = join(here, "kafka_helper.py");
const token = "browser-test-token";

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
const configPath = join(workDir, "cxpulse.yaml");
writeFileSync(configPath, `
kafka:
  bootstrap_servers: ${bootstrap}
  group_id: ${prefix}
  topics:
    clicks: ${prefix}.clicks
    calls: ${prefix}.calls
    chats: ${prefix}.chats
    surveys: ${prefix}.surveys
    signals: ${prefix}.signals
    alerts: ${prefix}.alerts
    dead_letter: ${prefix}.deadletter
    changelog: ${prefix}.changelog
state:
  dir: ${join(workDir, "state")}
http:
  listen: 127.0.0.1:0
  bearer_token: ${token}
`);

let processor = null;
let browser = null;
let exitCode = null;
try {
  execFileSync(python, [helper, "create", bootstrap, prefix], { stdio: "inherit" });

  processor = spawn(binary, ["run", "--config", configPath], {
    stdio: ["ignore", "inherit", "pipe"],
    env: { ...process.env, CXPULSE_HTTP_TOKEN: "" },
  });
  let stderr = "";
  processor.stderr.on("data", (chunk) => {
    stderr += chunk;
    process.stderr.write(chunk);
  });
  const exited = new Promise((resolve) => processor.on("exit", (code) => resolve(code)));
  exited.then((code) => { exitCode = code; });

  const port = await waitFor("the HTTP listener", async () => {
    const match = /http: listening on [^:]+:(\d+)/.exec(stderr);
    return match ? Number(match[1]) : null;
  }, 30000);
  const base = `http://127.0.0.1:${port}`;
  const healthz = await fetch(`${base}/healthz`);
  check("/healthz answers while the processor starts", healthz.status === 200);
  await waitFor("/readyz", async () => (await fetch(`${base}/readyz`)).status === 200, 90000);
  check("/readyz turns 200", true);

  // A fresh profile directory (Playwright passes it as --user-data-dir).
  browser = await chromium.launchPersistentContext(join(workDir, "chromium-profile"), {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1280, height: 860 },
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const page = browser.pages()[0] || await browser.newPage();
  const consoleErrors = [];
  // The expected 401 before the token is entered is logged by Chromium as a failed resource.
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().includes("status of 401")) consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => consoleErrors.push(String(e)));
  await page.goto(base + "/");
  await page.waitForSelector('#connection[data-state="live"]', { timeout: 15000 });
  check("page connects to the live alert stream", true);
  await page.evaluate(() => { window.__noReload = "still-here"; });

  const customer = `web-${prefix.slice(-6)}`;
  const now = Date.now();
  const iso = (ms) => new Date(ms).toISOString();
  const events = [
    { event_id: `${prefix}-1`, customer_id: customer, type: "click", action: "page_view",
      page: "/help/billing", session_id: "s1", ts: iso(now - 4000) },
    { event_id: `${prefix}-2`, customer_id: customer, type: "click", action: "search",
      query: "refund not received", results: 0, session_id: "s1", ts: iso(now - 3000) },
    { event_id: `${prefix}-3`, customer_id: customer, type: "click", action: "contact_us",
      page: "/help/billing", session_id: "s1", ts: iso(now - 1000) },
  ];
  const eventsPath = join(workDir, "events.jsonl");
  writeFileSync(eventsPath, events.map((e) => JSON.stringify(e)).join("\n") + "\n");
  const produced = Date.now();
  execFileSync(python, [helper, "produce", bootstrap, prefix, eventsPath], { stdio: "inherit" });

  const alert = page.locator(`.alert[data-kind="needs_help"]:has(.open-customer[data-customer="${customer}"])`);
  await alert.waitFor({ timeout: 30000 });
  log(`alert visible ${Date.now() - produced} ms after producing`);
  const alertText = await alert.innerText();
  check("needs_help alert appears live", true);
  check("alert says what to do in plain words", alertText.includes("Offer a chat now"), alertText);
  check("alert names the kind in plain words", alertText.includes("Stuck in self-service"), alertText);
  check("page was not reloaded", (await page.evaluate(() => window.__noReload)) === "still-here");

  await page.selectOption("#filter-kind", "sla_breach");
  check("filter by kind hides the alert", (await alert.count()) === 0);
  await page.selectOption("#filter-kind", "needs_help");
  await page.selectOption("#filter-severity", "warning");
  check("filter by kind and severity shows it", (await alert.count()) === 1);

  await alert.locator(".open-customer").click();
  await page.waitForSelector("#token-form:not([hidden])", { timeout: 10000 });
  check("customer view asks for the token on 401", true);
  await page.fill("#token-input", token);
  await page.click("#token-form button[type=submit]");
  await page.waitForSelector("#customer-body .score-value", { timeout: 10000 });
  const customerText = await page.innerText("#customer");
  check("customer view shows the customer", customerText.includes(customer), customerText);
  check("customer view shows both scores", customerText.includes("Effort") && customerText.includes("Risk"));
  check("customer view shows the timeline", customerText.includes("Timeline") &&
        customerText.includes("Stuck in self-service"), customerText);
  check("token kept in sessionStorage",
        (await page.evaluate(() => sessionStorage.getItem("cxpulse.token"))) === token);

  const screenshot = join(workDir, "outreach.png");
  await page.screenshot({ path: screenshot, fullPage: true });
  log(`screenshot: ${screenshot}`);
  check("no errors in the page console", consoleErrors.length === 0, consoleErrors.join(" | "));

  const metrics = await (await fetch(`${base}/metrics`)).text();
  check("metrics count the alert",
        /cxpulse_alerts_total\{kind="needs_help",severity="warning"\} [1-9]/.test(metrics));
  check("metrics carry no customer id", !metrics.includes(customer));
  const unauthorised = await fetch(`${base}/customers/${encodeURIComponent(customer)}`);
  check("/customers without the token is 401", unauthorised.status === 401);

  await browser.close();
  browser = null;
  processor.kill("SIGTERM");
  await Promise.race([exited, new Promise((r) => setTimeout(r, 30000))]);
  check("cxpulse run stops cleanly on SIGTERM", exitCode === 0, `exit ${exitCode}`);
  processor = null;
} catch (err) {
  check("browser test ran to the end", false, err.stack || String(err));
} finally {
  if (browser) await browser.close().catch(() => {});
  if (processor && exitCode === null) processor.kill("SIGKILL");
  try {
    execFileSync(python, [helper, "delete", bootstrap, prefix], { stdio: "inherit" });
  } catch (err) {
    log(`topic cleanup failed: ${err}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed || !passed ? 1 : 0);
