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
import { fileURLToPath, pathToFileURL } from "node:url";
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

/** Every `serve` started, stopped at the end even when a check failed half-way. */
const served = [];
process.on("exit", () => served.forEach((c) => c.kill()));

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
    served.push(child);
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
  const snippet = await page.locator("#search-results li:has(> a)").first().innerText();
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

// ---- What a new reader trips on (issue 23) ----

/** A knowledge base in a temporary folder from {name: markdown}, built; its path. */
function kbOf(files, config) {
  const dir = mkdtempSync(join(tmpdir(), "hindsight-kb-"));
  mkdirSync(join(dir, "incidents"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, "incidents", name), text);
  if (config) writeFileSync(join(dir, "hindsight.toml"), config);
  execFileSync(bin, ["build", "-C", dir], { stdio: ["ignore", "ignore", "inherit"] });
  return dir;
}

const SEVERITIES = ["critical", "high", "medium", "low"];
const TAGS = ["nginx", "dns", "postgres", "kafka", "tls", "cdn"];
/** The generated incident i: severity, year and tags follow from i. */
function generated(i) {
  const sev = SEVERITIES[i % 4], year = 2021 + (i % 5), tags = [TAGS[i % 6], TAGS[(i + 1) % 6]];
  const day = String(1 + (i % 28)).padStart(2, "0"), month = String(1 + (i % 12)).padStart(2, "0");
  return {
    sev, year, tags,
    name: `${year}-${month}-${day}-generated-${i}.md`,
    text: `---\nseverity: ${sev}\ntags: [${tags.join(", ")}]\n---\n# Generated outage ${i}\n\n` +
      `**Date**: ${year}-${month}-${day}\n\n## Summary\n\nA deploy broke support for the port ${i}; ` +
      `we rolled back.\n\n## Root Cause\n\nThe deploy script skipped the health check.\n\n` +
      `## Lessons Learned\n\n- Check health after every deploy.\n`,
  };
}
const many = Array.from({ length: 250 }, (_, i) => generated(i));
const manyKb = kbOf(Object.fromEntries(many.map((g) => [g.name, g.text])));

const words = {
  "2026-04-01-words.md": `# Hostile postmortem <script>alert('title')</script>

**Date**: 2026-04-01

## Summary

The new layout dropped the <script> tag that loads analytics, and a <style> block.

## Impact

A \`<template>\` element and <math><style> and an unclosed <template> tag.

## Root Cause

The template engine stripped the tag.

## Timeline

- 09:00 UTC - the page broke
- 09:30 UTC - fixed

## Lessons Learned

- [x] Keep every word
- [ ] Check the markup

\`\`\`
a very long line of code that has to scroll sideways on a narrow screen, a very long line of code
\`\`\`

![tracker](https://remote.example/pixel.png) <img src="https://remote.example/raw.png" alt="raw">
`,
};
const wordsKb = kbOf(words);
let remoteKb = null, remoteError = "";
try { remoteKb = kbOf(words, "[site]\nremote_images = true\n"); } catch (e) { remoteError = String(e.message); }

await check("1. a sentence that names a tag keeps every word after it", async () => {
  const { page, seen } = await watchedPage(browser);
  await page.goto(pathToFileURL(join(wordsKb, "site", "incidents", "2026-04-01-words.html")).href);
  const text = await page.locator("main").innerText();
  for (const w of ["dropped the <script> tag that loads analytics", "a <style> block",
    "<template> element", "<math><style>", "Root Cause", "The template engine stripped the tag",
    "Timeline", "Lessons Learned", "Keep every word"]) {
    assert.ok(text.includes(w), `${JSON.stringify(w)} is on the page`);
  }
  const summary = await page.locator(".record .summary").innerText();
  assert.ok(summary.includes("dropped the <script> tag"), `summary keeps the word: ${summary}`);
  assert.deepEqual(seen.dialogs, []);
  await page.close();
});

await check("2. remote images are not loaded unless [site] remote_images", async () => {
  assert.ok(remoteKb, `[site] remote_images = true builds: ${remoteError}`);
  for (const [dir, allowed] of [[wordsKb, false], [remoteKb, true]]) {
    const page = await browser.newPage();
    const remote = [];
    await page.route("**/*", (r) => {
      if (r.request().url().startsWith("file:")) return r.continue();
      remote.push(r.request().url());
      return r.abort();
    });
    const csp = [];
    page.on("console", (m) => { if (/Content Security Policy/.test(m.text())) csp.push(m.text()); });
    await page.goto(pathToFileURL(join(dir, "site", "incidents", "2026-04-01-words.html")).href);
    await page.waitForTimeout(300);
    const srcs = await page.locator("main img").evaluateAll((is) => is.map((i) => i.getAttribute("src") || ""));
    if (allowed) {
      assert.ok(srcs.some((s) => s.startsWith("https://remote.example/")), `images kept: ${srcs}`);
      assert.ok(remote.length >= 1, "the browser was allowed to ask for them");
    } else {
      assert.deepEqual(srcs.filter((s) => /^(https?:)?\/\//.test(s)), [], "no remote src");
      assert.deepEqual(remote, [], "no request left the page");
      const link = await page.locator("main a[href='https://remote.example/pixel.png']").innerText();
      assert.match(link, /tracker/, "the image is a link with its alt text");
    }
    await page.close();
  }
  const index = readFileSync(join(wordsKb, "site", "index.html"), "utf8");
  assert.match(index, /img-src 'self' data:;/, "the CSP blocks remote images by default");
});

await check("3. one title: the h1, <title>, the index and search agree", async () => {
  const page = await browser.newPage();
  await page.goto(pathToFileURL(join(wordsKb, "site", "index.html")).href);
  const listed = await page.locator("table.incidents tbody a").first().innerText();
  await page.goto(pathToFileURL(join(wordsKb, "site", "incidents", "2026-04-01-words.html")).href);
  const h1 = await page.locator("h1").innerText();
  const title = await page.title();
  assert.equal(h1, "Hostile postmortem <script>alert('title')</script>");
  assert.equal(listed, h1, "index");
  assert.ok(title.startsWith(h1 + " · "), `<title> ${title}`);
  assert.equal(await page.locator("h1").count(), 1, "one h1");
  await page.close();
});

await check("4. rule text shows inline code, not backticks", async () => {
  const page = await browser.newPage();
  await page.goto(pathToFileURL(join(kbRoot, "site", "rules.html")).href);
  // Text outside code (a guard's regex may hold a backtick of its own).
  const prose = (sel) => page.locator(sel).evaluateAll((els) => els.map((e) => {
    const c = e.cloneNode(true);
    c.querySelectorAll("code").forEach((k) => k.remove());
    return c.textContent;
  }).join("\n"));
  const text = await prose("main .rule");
  assert.ok(!text.includes("`"), `no raw backtick on the rules page: ${text.match(/.{0,40}`.{0,40}/)}`);
  assert.ok(await page.locator(".rule h2 code, .rule p code").count() > 0, "code spans rendered");
  await page.goto(pathToFileURL(join(kbRoot, "site", "incidents", "2025-10-16-fluxstudio-rsync-delete-outage.html")).href);
  const learned = await prose("ul.rules");
  assert.ok(!learned.includes("`"), `Rules learned: ${learned}`);
  await page.goto(pathToFileURL(join(kbRoot, "site", "index.html")).href);
  await page.locator("#search-input").pressSequentially("rsync", { delay: 20 });
  await page.locator("#search-results li p").first().waitFor();
  const excerpts = await prose("#search-results li p, #search-results li > a");
  assert.ok(!excerpts.includes("`"), `search excerpts: ${excerpts}`);
  await page.close();
});

await check("5. on a phone: skip link, the title first, readable chart, the table fits", async () => {
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await phone.goto(pathToFileURL(join(kbRoot, "site", "incidents", "2025-10-16-fluxstudio-rsync-delete-outage.html")).href);
  const top = await phone.locator("h1").evaluate((h) => h.getBoundingClientRect().top + window.scrollY);
  assert.ok(top < 400, `the h1 is at y=${top}`);
  const first = await phone.evaluate(() => document.querySelector("h1, h2, h3").tagName);
  assert.equal(first, "H1", "the first heading a screen reader meets is the h1");
  await phone.keyboard.press("Tab");
  const focused = await phone.evaluate(() => [document.activeElement.className, document.activeElement.getAttribute("href")]);
  assert.deepEqual(focused, ["skip-link", "#main"], "Tab first reaches the skip link");
  await phone.goto(pathToFileURL(join(manyKb, "site", "index.html")).href);
  const label = await phone.locator(".chart text").first().evaluate((t) => t.getBoundingClientRect().height);
  assert.ok(label >= 9, `chart labels are ${label.toFixed(1)} px tall`);
  const fit = await phone.evaluate(() => {
    const s = document.querySelector(".scroll");
    const th = [...document.querySelectorAll("table.incidents th")].find((t) => t.textContent.startsWith("Severity"));
    return { table: s.scrollWidth, box: s.clientWidth, th: th.getBoundingClientRect().right, page: document.documentElement.clientWidth };
  });
  assert.ok(fit.table <= fit.box, `the index table fits (${fit.table} > ${fit.box})`);
  assert.ok(fit.th <= fit.page, `the Severity header is on screen (${fit.th} > ${fit.page})`);
  await phone.screenshot({ path: join(outDir, "index-phone-390.png") });
  await phone.close();
});

const AXE = readFileSync(join(here, "node_modules", "axe-core", "axe.min.js"), "utf8");
await check("6. axe: no WCAG 2.1 AA violation on any page kind, light or dark", async () => {
  const kinds = [
    [kbRoot, "index.html"], [kbRoot, "incidents/2025-10-16-fluxstudio-rsync-delete-outage.html"],
    [kbRoot, "rules.html"], [kbRoot, "tags/index.html"], [kbRoot, "tags/deploy.html"], [kbRoot, "404.html"],
    [manyKb, "index.html"], [manyKb, "page-2.html"], [wordsKb, "incidents/2026-04-01-words.html"],
  ];
  const found = [];
  for (const scheme of ["light", "dark"]) {
    // axe is injected as an inline script, which the pages' CSP (rightly) refuses.
    const ctx = await browser.newContext({ colorScheme: scheme, bypassCSP: true });
    const page = await ctx.newPage();
    for (const [dir, path] of kinds) {
      await page.goto(pathToFileURL(join(dir, "site", path)).href);
      await page.addScriptTag({ content: AXE });
      const r = await page.evaluate(() => window.axe.run(document, {
        runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
      }));
      for (const v of r.violations) {
        found.push(`${scheme} ${path}: ${v.id} (${v.nodes.length}) ${v.nodes[0].target} ${v.nodes[0].failureSummary.split("\n")[1] || ""}`);
      }
    }
    await ctx.close();
  }
  assert.deepEqual(found, [], "axe violations");
});

await check("7. search box: typos, no flash, emoji, counts and more, whole words", async () => {
  const site = await serve(kbRoot);
  const { page, seen } = await watchedPage(browser);
  await page.goto(site.url);
  await page.locator("#search-input").pressSequentially("rsnyc", { delay: 30 });
  await page.locator("#search-results a", { hasText: "FluxStudio" }).first().waitFor({ timeout: 10000 });
  // Two letters never say "No incident matches." while a word is being typed.
  await page.locator("#search-input").fill("");
  await page.evaluate(() => {
    window.__said = [];
    new MutationObserver(() => window.__said.push(document.querySelector("#search-results").innerText))
      .observe(document.querySelector("#search-results"), { childList: true, subtree: true, characterData: true });
  });
  await page.locator("#search-input").pressSequentially("rs", { delay: 60 });
  await page.waitForTimeout(400);
  const said = await page.evaluate(() => window.__said.join("|"));
  assert.ok(!/No incident/.test(said), `nothing flashes at two letters: ${said}`);
  await page.locator("#search-input").fill("🚨");
  await page.locator("#search-results li > a").first().waitFor({ timeout: 5000 });
  assert.deepEqual(seen.errors, []);
  site.stop();
  await page.close();

  const big = await serve(manyKb);
  const p2 = await browser.newPage();
  await p2.goto(big.url);
  await p2.locator("#search-input").pressSequentially("port", { delay: 30 });
  const count = p2.locator("#search-results li.count");
  await count.waitFor();
  assert.match(await count.innerText(), /^250 incidents match/);
  assert.equal(await p2.locator("#search-results li > a").count(), 10);
  await p2.locator("#search-results button.more").click();
  await p2.waitForFunction(() => document.querySelectorAll("#search-results li > a").length === 20);
  const marks = await p2.locator("#search-results mark").evaluateAll((ms) => ms.map((m) => {
    const before = m.previousSibling ? m.previousSibling.textContent.slice(-1) : "";
    return before + "[" + m.textContent + "]";
  }));
  assert.ok(marks.length > 0, "words marked");
  assert.ok(marks.every((m) => /^(|[^\p{L}\p{N}])\[port/u.test(m)), `only whole words marked: ${marks.slice(0, 5)}`);
  await p2.close();
  big.stop();
});

await check("8. the index is paged and filters every incident by severity, year and tag", async () => {
  const site = await serve(manyKb);
  const { page, seen } = await watchedPage(browser);
  await page.goto(site.url);
  assert.equal(await page.locator("table.incidents tbody tr").count(), 100, "100 rows a page");
  assert.ok(await page.locator(".pager a[href='page-2.html']").count() === 1, "a pager");
  const html = readFileSync(join(manyKb, "site", "index.html"));
  assert.ok(html.length < 200_000, `index.html is ${html.length} bytes`);
  const before = seen.requests.length;
  await page.locator(".severity-filter").selectOption("critical");
  const want = many.filter((g) => g.sev === "critical").length;
  await page.locator(".shown").filter({ hasText: `of ${want} shown` }).waitFor({ timeout: 5000 });
  const sevs = await page.locator("table.incidents tbody tr:not([hidden])").evaluateAll((rs) => rs.map((r) => r.dataset.severity));
  assert.equal(sevs.length, Math.min(want, 100));
  assert.ok(sevs.every((s) => s === "critical"), "only critical rows");
  await page.locator(".year-filter").selectOption("2023");
  await page.locator(".tag-filter").selectOption({ label: "nginx" });
  const both = many.filter((g) => g.sev === "critical" && g.year === 2023 && g.tags.includes("nginx")).length;
  await page.locator(".shown").filter({ hasText: `of ${both} shown` }).waitFor({ timeout: 5000 });
  const loaded = seen.requests.slice(before);
  assert.ok(loaded.some((u) => u.endsWith("/search/facets.js")), "facets loaded");
  assert.ok(!loaded.some((u) => /page-\d+\.html/.test(u)), "no other index page loaded");
  await page.locator(".severity-filter").selectOption("");
  await page.locator(".year-filter").selectOption("");
  await page.locator(".tag-filter").selectOption("");
  await page.locator(".shown").filter({ hasText: "of 100 shown" }).waitFor();
  assert.deepEqual(seen.errors, []);
  await page.close();
  site.stop();
});

await check("9. 404.html is styled from disk and below the root", async () => {
  const page = await browser.newPage();
  const styled = () => page.evaluate(() => getComputedStyle(document.querySelector("header.site")).borderBottomStyle);
  await page.goto(pathToFileURL(join(kbRoot, "site", "404.html")).href);
  assert.equal(await styled(), "solid", "from disk");
  const site = await serve(kbRoot);
  const r = await page.goto(site.url + "incidents/deep/missing.html");
  assert.equal(r.status(), 404);
  assert.equal(await styled(), "solid", "served under a folder");
  assert.equal(r.headers()["content-encoding"], "gzip", "serve compresses");
  site.stop();
  await page.close();
});

await browser.close();
console.log(results.join("\n"));
if (results.some((r) => r.startsWith("FAIL"))) process.exit(1);
console.log(`browser: all ${results.length} checks passed; screenshots in ${outDir}`);
