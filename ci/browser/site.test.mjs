// The built site in a real browser (Debian's chromium, driven by playwright-core):
// search as you type, repaired emoji, the timeline, and a hostile postmortem that must
// not run a single line of script. Screenshots go to OUT_DIR as CI artefacts.
//
// usage: node site.test.mjs HINDSIGHT KB_ROOT OUT_DIR

import { chromium } from "playwright-core";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";

const [bin, kbRoot, outDir] = process.argv.slice(2);
if (!bin || !kbRoot || !outDir) {
  console.error("usage: node site.test.mjs HINDSIGHT KB_ROOT OUT_DIR");
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
const here = dirname(fileURLToPath(import.meta.url));

const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
  "--disable-background-networking", "--disable-component-update",
];

/** Start `hindsight serve --no-watch` on a free port; resolve with its base URL. */
function serve(root) {
  const child = spawn(bin, ["serve", "--no-watch", "--port", "0", "-C", root], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (m) resolve({ url: m[0], stop: () => child.kill() });
    });
    child.on("exit", (code) => reject(new Error(`hindsight serve exited ${code}: ${out}`)));
  });
}

/** A page that records script errors, dialogs and every request it makes. */
async function watchedPage(browser) {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const seen = { errors: [], dialogs: [], requests: [] };
  page.on("pageerror", (e) => seen.errors.push(String(e)));
  page.on("console", (m) => {
    // Failed loads are reported with their URL by the response handler below.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) seen.errors.push(m.text());
  });
  page.on("dialog", (d) => { seen.dialogs.push(d.message()); d.dismiss(); });
  page.on("request", (r) => seen.requests.push(r.url()));
  page.on("response", (r) => { if (r.status() >= 400) seen.errors.push(`${r.status()} ${r.url()}`); });
  return { page, seen };
}

const results = [];
async function check(name, fn) {
  try {
    await fn();
    results.push(`ok   ${name}`);
  } catch (e) {
    results.push(`FAIL ${name}\n     ${String(e.message || e).split("\n").join("\n     ")}`);
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: CHROMIUM_ARGS,
});

// 1. The bundled knowledge base's site.
const site = await serve(kbRoot);
await check("search finds the FluxStudio incident as you type", async () => {
  const { page, seen } = await watchedPage(browser);
  await page.goto(site.url);
  await page.waitForSelector(".search:not([hidden]) #search-input");
  const before = seen.requests.length;
  await page.locator("#search-input").pressSequentially("rsync", { delay: 40 });
  const hit = page.locator("#search-results a", { hasText: "FluxStudio" }).first();
  await hit.waitFor({ timeout: 10000 });
  const snippet = await page.locator("#search-results li").first().innerText();
  assert.match(snippet, /rsync/i, `the first result's snippet mentions rsync: ${snippet}`);
  const loaded = seen.requests.slice(before).filter((u) => u.includes("/search/"));
  assert.ok(loaded.length > 0, "the search index was loaded on demand");
  assert.ok(!seen.requests.some((u) => !u.startsWith(site.url)), "no request leaves the site");
  await page.screenshot({ path: join(outDir, "search-rsync.png") });

  await Promise.all([page.waitForURL(/fluxstudio/i), hit.click()]);
  const text = await page.locator("main").innerText();
  assert.ok(text.includes("✅"), "✅ repaired on the FluxStudio page");
  assert.ok(text.includes("🟢"), "🟢 repaired on the FluxStudio page");
  assert.ok(!/âœ|‚úÖ|ðŸ/.test(text), "no mojibake left");
  const times = await page.locator("ol.timeline li").count();
  assert.ok(times >= 2, `the FluxStudio timeline shows its key times (${times} entries)`);
  await page.screenshot({ path: join(outDir, "fluxstudio.png"), fullPage: true });
  assert.deepEqual(seen.errors, [], "no script errors or CSP violations");
  await page.close();
});

await check("🚨 and a six-entry timeline render on the deploy-without-testing page", async () => {
  const { page, seen } = await watchedPage(browser);
  await page.goto(site.url);
  const link = page.locator("table.incidents a[href*=\"local-testing\"]").first();
  await Promise.all([page.waitForURL(/incidents\//), link.click()]);
  const text = await page.locator("main").innerText();
  assert.ok(text.includes("🚨"), "🚨 rendered");
  assert.equal(await page.locator("ol.timeline li").count(), 6);
  await page.screenshot({ path: join(outDir, "timeline.png"), fullPage: true });
  assert.deepEqual(seen.errors, []);
  await page.close();
});

await check("filters and sorting work; pages read without script", async () => {
  const { page } = await watchedPage(browser);
  await page.goto(site.url);
  const rows = page.locator("table.incidents tbody tr");
  const all = await rows.count();
  await page.locator(".table-filter").fill("pm2");
  const shown = await page.locator("table.incidents tbody tr:not([hidden])").count();
  assert.ok(shown > 0 && shown < all, `filter pm2 shows ${shown} of ${all}`);
  await page.close();
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  const bare = await ctx.newPage();
  await bare.goto(site.url);
  assert.equal(await bare.locator("table.incidents tbody tr").count(), all, "the index lists every incident without script");
  assert.ok(!(await bare.locator(".search").isVisible()), "search box hidden without script");
  await ctx.close();
});

await check("dark mode follows prefers-color-scheme", async () => {
  const light = await browser.newPage({ colorScheme: "light" });
  const dark = await browser.newPage({ colorScheme: "dark" });
  await light.goto(site.url);
  await dark.goto(site.url);
  const bg = (p) => p.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.notEqual(await bg(light), await bg(dark));
  await dark.screenshot({ path: join(outDir, "index-dark.png") });
  await light.close();
  await dark.close();
});

await check("readable on a phone: no sideways scrolling", async () => {
  const phone = await browser.newPage({ viewport: { width: 375, height: 740 } });
  await phone.goto(site.url);
  const wide = await phone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(wide <= 375, `page is ${wide}px wide on a 375px screen`);
  await phone.screenshot({ path: join(outDir, "index-phone.png"), fullPage: true });
  await phone.close();
});
site.stop();

// 2. A hostile postmortem: raw HTML, event handlers, javascript: links.
const kb = mkdtempSync(join(tmpdir(), "hindsight-hostile-"));
mkdirSync(join(kb, "incidents"));
writeFileSync(join(kb, "incidents", "2026-03-01-hostile.md"), readFileSync(join(here, "hostile.md")));
execFileSync(bin, ["build", "-C", kb], { stdio: ["ignore", "ignore", "inherit"] });
const evil = await serve(kb);
await check("a hostile postmortem runs no script", async () => {
  const { page, seen } = await watchedPage(browser);
  await page.goto(evil.url);
  await page.waitForSelector("#search-input");
  await page.locator("#search-input").pressSequentially("hostile", { delay: 20 });
  await page.waitForTimeout(500);
  await page.screenshot({ path: join(outDir, "hostile-index.png") });
  const link = page.locator("table.incidents a").first();
  await Promise.all([page.waitForURL(/incidents\//), link.click()]);
  await page.waitForTimeout(1000);
  // Click every link and button in the postmortem; none may run anything.
  for (const a of await page.locator("main a, main button, main summary").all()) {
    await a.click({ modifiers: ["Alt"], noWaitAfter: true, timeout: 2000 }).catch(() => {});
  }
  await page.waitForTimeout(500);
  const state = await page.evaluate(() => ({
    pwned: window.__pwned,
    title: document.title,
    scripts: [...document.scripts].map((s) => s.src || "inline"),
    handlers: [...document.querySelectorAll("*")].flatMap((e) =>
      [...e.attributes].filter((a) => a.name.startsWith("on")).map((a) => `${e.tagName} ${a.name}`)),
    badLinks: [...document.querySelectorAll("[href],[src],[action],[data]")]
      .map((e) => e.getAttribute("href") || e.getAttribute("src") || e.getAttribute("action") || e.getAttribute("data"))
      .filter((u) => /^\s*(javascript|vbscript|data:text\/html)/i.test(u)),
    frames: document.querySelectorAll("iframe, object, embed, form, meta[http-equiv=refresh]").length,
  }));
  await page.screenshot({ path: join(outDir, "hostile.png"), fullPage: true });
  assert.equal(state.pwned, undefined, "no payload set window.__pwned");
  assert.deepEqual(seen.dialogs, [], "no dialog opened");
  assert.deepEqual(seen.requests.filter((u) => /pwned/.test(u)), [], "no payload made a request");
  assert.ok(!/PWNED/.test(state.title), `title untouched: ${state.title}`);
  assert.ok(state.scripts.every((s) => s.endsWith("/assets/site.js")), `only site.js runs: ${state.scripts}`);
  assert.deepEqual(state.handlers, [], "no event-handler attributes in the DOM");
  assert.deepEqual(state.badLinks, [], "no javascript: URLs in the DOM");
  assert.equal(state.frames, 0, "no frames, objects, forms or refreshes");
  await page.close();
});
evil.stop();

await browser.close();
console.log(results.join("\n"));
if (results.some((r) => r.startsWith("FAIL"))) process.exit(1);
console.log(`browser: all ${results.length} checks passed; screenshots in ${outDir}`);
