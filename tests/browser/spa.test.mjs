// examples/spa in real Chromium: the page on one origin, gatehouse on another. It signs up, signs
// in, shows the session and signs out through better-auth/client; the browser keeps gatehouse's
// cookie with the attributes gatehouse set. The same page from an untrusted origin can neither
// read the session nor sign anyone out with the cookie.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { mkdirSync, readFileSync } from "node:fs";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { database, freePort, startGatehouse, strategy } from "./gatehouse.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const spaRoot = join(here, "../../examples/spa");
const screenshots = join(here, "screenshots");
const PASSWORD = "correct-horse-battery";
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".mjs": "text/javascript", ".css": "text/css" };

/** Serves examples/spa on 127.0.0.1:port. */
async function serveSpa() {
  const port = await freePort();
  const server = createServer((req, res) => {
    const path = normalize(new URL(req.url, "http://x").pathname).replace(/^\/+/, "") || "index.html";
    try {
      const body = readFileSync(join(spaRoot, path));
      res.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { origin: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

let gatehouse, trustedSpa, untrustedSpa, browser;

before(async () => {
  mkdirSync(screenshots, { recursive: true });
  trustedSpa = await serveSpa();
  untrustedSpa = await serveSpa();
  gatehouse = await startGatehouse({ GATEHOUSE_TRUSTED_ORIGINS: trustedSpa.origin });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--no-first-run", "--disable-sync", "--disable-quic"],
  });
});

after(async () => {
  await browser?.close();
  await trustedSpa?.close();
  await untrustedSpa?.close();
  await gatehouse?.stop();
});

async function state(page, expected) {
  await page.waitForFunction((s) => document.getElementById("status").dataset.state === s, expected, { timeout: 15000 });
}

describe(`examples/spa in Chromium (${strategy} sessions, ${database})`, () => {
  test("sign up, sign in, see the session, sign out; the cookie is what gatehouse set", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const email = `spa-${Date.now()}@example.com`;
    const username = `spa_${Date.now()}`;

    await page.goto(`${trustedSpa.origin}/?gatehouse=${gatehouse.url}`);
    await state(page, "signed-out");
    await page.screenshot({ path: join(screenshots, `signed-out-${strategy}-${database}.png`) });

    await page.fill("#email", email);
    await page.fill("#username", username);
    await page.fill("#password", PASSWORD);
    await page.click("#sign-up");
    await state(page, "signed-in");
    assert.match(await page.textContent("#status"), new RegExp(`Signed in as ${email}`));

    await page.click("#sign-out");
    await state(page, "signed-out");
    assert.equal((await context.cookies(gatehouse.url)).find((c) => c.name === "gatehouse.session_token"), undefined);

    await page.click("#sign-in");
    await state(page, "signed-in");
    await page.screenshot({ path: join(screenshots, `signed-in-${strategy}-${database}.png`) });
    const cookie = (await context.cookies(gatehouse.url)).find((c) => c.name === "gatehouse.session_token");
    assert.ok(cookie, "the browser keeps the session cookie");
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.secure, false);
    assert.equal(cookie.sameSite, "Lax");
    assert.equal(cookie.path, "/");
    assert.equal(cookie.domain, "127.0.0.1");
    const sevenDays = Date.now() / 1000 + 7 * 86400;
    assert.ok(Math.abs(cookie.expires - sevenDays) < 120, `expires ${cookie.expires}`);
    assert.equal(await page.evaluate(() => document.cookie), "", "HttpOnly: scripts cannot read it");

    // rememberMe off: a browser-session cookie, marked by dont_remember.
    await page.click("#sign-out");
    await state(page, "signed-out");
    await page.uncheck("#remember");
    await page.click("#sign-in-username");
    await state(page, "signed-in");
    const cookies = await context.cookies(gatehouse.url);
    const session = cookies.find((c) => c.name === "gatehouse.session_token");
    assert.equal(session.expires, -1, "a session cookie");
    assert.ok(cookies.find((c) => c.name === "gatehouse.dont_remember"));
    await context.close();
  });

  test("a page on an untrusted origin cannot read the session or sign out with the cookie", async () => {
    const context = await browser.newContext();
    const trusted = await context.newPage();
    await trusted.goto(`${trustedSpa.origin}/?gatehouse=${gatehouse.url}`);
    await state(trusted, "signed-out");
    await trusted.fill("#email", `victim-${Date.now()}@example.com`);
    await trusted.fill("#password", PASSWORD);
    await trusted.click("#sign-up");
    await state(trusted, "signed-in");

    const untrusted = await context.newPage();
    await untrusted.goto(`${untrustedSpa.origin}/?gatehouse=${gatehouse.url}`);
    await state(untrusted, "error");
    await untrusted.screenshot({ path: join(screenshots, `untrusted-${strategy}-${database}.png`) });
    const read = await untrusted.evaluate(async (url) => {
      try {
        const response = await fetch(`${url}/api/auth/get-session`, { credentials: "include" });
        return `read ${response.status}: ${await response.text()}`;
      } catch (error) {
        return `blocked: ${error.name}`;
      }
    }, gatehouse.url);
    assert.equal(read, "blocked: TypeError", "CORS keeps the answer from the page");

    // A form-like POST needs no preflight, so the browser sends it with the cookie (same site):
    // gatehouse must refuse it because of its Origin.
    const signOut = untrusted.waitForResponse((r) => r.url().endsWith("/api/auth/sign-out"));
    await untrusted.evaluate((url) => fetch(`${url}/api/auth/sign-out`, { method: "POST", credentials: "include", mode: "no-cors" }), gatehouse.url);
    const response = await signOut;
    // Without the cookie the CSRF rule would not apply and sign-out would answer 200: the 403
    // shows the browser sent the cookie and gatehouse refused the origin.
    assert.equal(response.status(), 403);

    // The same request from a browser without gatehouse's cookie is answered 200.
    const stranger = await browser.newContext();
    const strangerPage = await stranger.newPage();
    await strangerPage.goto(`${untrustedSpa.origin}/?gatehouse=${gatehouse.url}`);
    const bare = strangerPage.waitForResponse((r) => r.url().endsWith("/api/auth/sign-out"));
    await strangerPage.evaluate((url) => fetch(`${url}/api/auth/sign-out`, { method: "POST", credentials: "include", mode: "no-cors" }), gatehouse.url);
    assert.equal((await bare).status(), 200);
    await stranger.close();

    await trusted.reload();
    await state(trusted, "signed-in");
    await context.close();
  });
});
