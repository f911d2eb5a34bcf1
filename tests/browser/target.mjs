// What the suites run against, from the environment that scripts/browser-test.sh sets up:
//   GATEHOUSE_URL            the running server, e.g. http://127.0.0.1:41234 (required)
//   GATEHOUSE_TEST_STRATEGY  database | jwt (what the server was started with; names the tests)
//   GATEHOUSE_TEST_DATABASE  sqlite | postgres (likewise)
//   SPA_PORT                 port of the page's origin, listed in GATEHOUSE_TRUSTED_ORIGINS
//   UNTRUSTED_PORT           port of a second origin that is not listed
//   MAIL_DIR                 where the real SMTP server (tests/smtp/server.py) writes the mail
//                            gatehouse sends; unset: the mail tests are skipped
//   COOKIE_PREFIX            gatehouse (default), or better-auth when GATEHOUSE_URL is the
//                            reference Better Auth server (client.test.mjs only)
//   PROPAGATION_MS           0 (default): a write is seen by the next request at once, as on one
//                            instance; behind a load balancer over several instances
//                            (scripts/cluster-test.sh), how long another instance may take to
//                            see a sign-out or a user change (the documented bound)
export const url = process.env.GATEHOUSE_URL;
if (!url) throw new Error("GATEHOUSE_URL is not set: run scripts/browser-test.sh, or see its header");
export const strategy = process.env.GATEHOUSE_TEST_STRATEGY ?? "database";
export const database = process.env.GATEHOUSE_TEST_DATABASE ?? "sqlite";
export const cookiePrefix = process.env.COOKIE_PREFIX ?? "gatehouse";
/** false when the suite runs against the reference Better Auth server (no CORS, no jwt strategy). */
export const isGatehouse = cookiePrefix === "gatehouse";
export const spaOrigin = `http://127.0.0.1:${process.env.SPA_PORT ?? 5173}`;
export const untrustedOrigin = `http://127.0.0.1:${process.env.UNTRUSTED_PORT ?? 5174}`;
export const PASSWORD = "correct-horse-battery";
export const mailDir = process.env.MAIL_DIR;
export const propagationMs = Number(process.env.PROPAGATION_MS ?? 0);

/**
 * A read after a write whose effect the read checks: on one instance it must hold at once; with
 * PROPAGATION_MS, the read is repeated until it holds or that bound has passed. Returns the last
 * value read, for the caller's assertion.
 */
export async function settled(read, holds) {
  const deadline = Date.now() + propagationMs;
  for (;;) {
    const value = await read();
    if (holds(value) || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let counter = 0;
/** A name no earlier run used, for emails and usernames (3 to 30 characters of [a-z0-9_]). */
export const unique = (prefix) =>
  `${prefix}_${process.pid.toString(36)}${Date.now().toString(36)}${(counter++).toString(36)}`;
