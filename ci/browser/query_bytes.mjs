// How many bytes of search index the browser loads for one-word queries on a built
// site: serve it, type each word, wait for results, and add up the /search/ responses.
//
// usage: node query_bytes.mjs HINDSIGHT KB_ROOT WORD...
// prints one line per word: `WORD BYTES FILES HITS`

import { chromium } from "playwright-core";
import { spawn } from "node:child_process";

const [bin, kbRoot, ...words] = process.argv.slice(2);
if (!bin || !kbRoot || !words.length) {
  console.error("usage: node query_bytes.mjs HINDSIGHT KB_ROOT WORD...");
  process.exit(2);
}

const child = spawn(bin, ["serve", "--no-watch", "--port", "0", "-C", kbRoot], {
  stdio: ["ignore", "pipe", "inherit"],
});
const url = await new Promise((resolve, reject) => {
  let out = "";
  child.stdout.on("data", (d) => {
    out += d;
    const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
    if (m) resolve(m[0]);
  });
  child.on("exit", (code) => reject(new Error(`hindsight serve exited ${code}`)));
});

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update"],
});
try {
  for (const word of words) {
    // A fresh page per word, so nothing is cached from the last query.
    const page = await browser.newPage();
    const sizes = [];
    page.on("response", async (r) => {
      if (r.url().includes("/search/")) sizes.push((await r.body()).length);
    });
    await page.goto(url + "index.html");
    await page.waitForSelector(".search:not([hidden]) #search-input");
    await page.locator("#search-input").fill(word);
    await page.waitForSelector("#search-results li", { timeout: 60000 });
    await page.waitForLoadState("networkidle");
    const hits = await page.locator("#search-results li a").count();
    console.log(`${word} ${sizes.reduce((a, b) => a + b, 0)} ${sizes.length} ${hits}`);
    await page.close();
  }
} finally {
  await browser.close();
  child.kill();
}
