// Three gatehouse instances on one PostgreSQL database behind one nginx (round-robin), driven
// over plain HTTP with Node's fetch: what one instance does, the others must know. Run by
// scripts/cluster-test.sh, which writes the launchers and sets:
//   CLUSTER_URL             nginx, e.g. http://127.0.0.1:41234 (every instance's base URL)
//   CLUSTER_INSTANCES       the three instances' own URLs, comma-separated
//   CLUSTER_LAUNCHERS       three shell scripts that exec instance 1, 2, 3 with the cluster's
//                           environment; this file starts (and restarts) the instances with them
//   CLUSTER_WORK            where the launchers keep their logs; the rolling restart writes its
//                           record of every request here (rolling-restart.json)
//   CLUSTER_NGINX           the nginx command, and the -p prefix (CLUSTER_NGINX_PREFIX) and -c
//   CLUSTER_NGINX_PREFIX    configuration (CLUSTER_NGINX_CONF) nginx was started with: the rolling
//   CLUSTER_NGINX_CONF      restart runs `nginx -p … -c … -s reload` with them
//   CLUSTER_NGINX_PID       nginx's master process (its children are the workers)
//   CLUSTER_NGINX_UPSTREAM  the file nginx.conf includes in its upstream, one `server <host>…;`
//                           line per instance; the rolling restart adds and removes `down` there
//   GATEHOUSE_TEST_STRATEGY database | jwt (what the instances run; names the tests)
//   CLUSTER_LOAD_CLIENTS    concurrent clients during the rolling restart (16)
//   CLUSTER_SETTLE_MS       load before, between and after the restarts (1000)
// nginx adds `X-Cluster-Upstream: <the instance's address>` to every answer, so the tests can
// check that a series of requests really was spread over the three instances.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomInt } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const nginx = process.env.CLUSTER_URL;
if (!nginx) throw new Error("CLUSTER_URL is not set: run scripts/cluster-test.sh");
const instances = process.env.CLUSTER_INSTANCES.split(",");
const launchers = process.env.CLUSTER_LAUNCHERS.split(",");
const work = process.env.CLUSTER_WORK;
const strategy = process.env.GATEHOUSE_TEST_STRATEGY ?? "database";
const LOAD_CLIENTS = Number(process.env.CLUSTER_LOAD_CLIENTS ?? 16);
const SETTLE_MS = Number(process.env.CLUSTER_SETTLE_MS ?? 1000);
const nginxCommand = process.env.CLUSTER_NGINX;
const nginxPrefix = process.env.CLUSTER_NGINX_PREFIX;
const nginxConf = process.env.CLUSTER_NGINX_CONF;
const nginxMaster = Number(process.env.CLUSTER_NGINX_PID);
const upstreamFile = process.env.CLUSTER_NGINX_UPSTREAM;
assert.equal(instances.length, 3);
assert.equal(launchers.length, 3);
assert.ok(nginxCommand && nginxPrefix && nginxConf && nginxMaster > 0 && upstreamFile, "CLUSTER_NGINX, CLUSTER_NGINX_PREFIX, CLUSTER_NGINX_CONF, CLUSTER_NGINX_PID and CLUSTER_NGINX_UPSTREAM are set");

const PASSWORD = "correct-horse-battery";
const SESSION_COOKIE = "gatehouse.session_token";
/** The README: "a sign-out or a revocation reaches all instances within a second". */
const PROPAGATION_MS = 1000;
const hostOf = (url) => new URL(url).host;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let counter = 0;
const unique = (prefix) => `${prefix}_${process.pid.toString(36)}${Date.now().toString(36)}${(counter++).toString(36)}`;
/**
 * A client address no other request uses, in this run or another on the same database: the abuse
 * limits count per address (IPv6 per /64, so each address is its own /64).
 */
const run = randomInt(1, 0xffff).toString(16);
let addresses = 0;
const nextAddress = (block = 1) => `fd00:${run}:${block}:${(addresses++).toString(16)}::1`;

/**
 * One request; never throws for an HTTP status. POSTs carry `Origin: <nginx>` unless told
 * otherwise (`origin: null`): Node's fetch sends `Sec-Fetch-Mode: cors` as a browser does, and
 * gatehouse then checks the origin of sign-ups and sign-ins (README, "CSRF").
 */
async function call(base, path, { method = "GET", body, cookie, bearer, origin = method === "POST" ? nginx : null, xff } = {}) {
  const headers = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (cookie) headers.cookie = cookie;
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (origin) headers.origin = origin;
  if (xff) headers["x-forwarded-for"] = xff;
  const response = await fetch(base + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    redirect: "manual",
  });
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text, headers: response.headers, upstream: response.headers.get("x-cluster-upstream") };
}

/** `name=value` of the session cookie an answer sets. */
function sessionCookie(response) {
  const line = response.headers.getSetCookie().find((line) => line.startsWith(`${SESSION_COOKIE}=`));
  assert.ok(line, "the answer sets the session cookie");
  return line.split(";")[0];
}

/** A session as the tests hold it: the cookie, the raw token and the signed set-auth-token. */
function credentials(response) {
  return { cookie: sessionCookie(response), token: response.json.token, signed: response.headers.get("set-auth-token") };
}

async function signUp(base = nginx) {
  const email = `${unique("cluster")}@example.com`;
  const response = await call(base, "/api/auth/sign-up", { method: "POST", body: { name: "Cluster", email, password: PASSWORD }, xff: nextAddress() });
  assert.equal(response.status, 200, response.text);
  return { email, userId: response.json.user.id, ...credentials(response) };
}

async function signIn(base, email, password = PASSWORD) {
  const response = await call(base, "/api/auth/sign-in/email", { method: "POST", body: { email, password }, xff: nextAddress() });
  assert.equal(response.status, 200, response.text);
  return credentials(response);
}

/** The user id get-session answers on `base` for a cookie (`{cookie}`) or a bearer (`{bearer}`), or null. */
async function whoOn(base, credential) {
  const response = await call(base, "/api/auth/get-session", credential);
  assert.equal(response.status, 200, `get-session on ${base}: ${response.text}`);
  return response.json?.user?.id ?? null;
}

/** Every way a session can be presented: its cookie, its raw token and its signed token as bearers. */
const presentations = (session) => [
  ["cookie", { cookie: session.cookie }],
  ["bearer token", { bearer: session.token }],
  ["bearer set-auth-token", { bearer: session.signed }],
];

/**
 * Polls get-session on every instance until none answers the session any more; returns how long
 * after `since` the last instance stopped answering it (ms). Fails past PROPAGATION_MS.
 */
async function endedEverywhere(credential, since, what) {
  const lags = [];
  for (const base of instances) {
    for (;;) {
      const asked = performance.now();
      if ((await whoOn(base, credential)) === null) {
        lags.push(Math.max(0, asked - since));
        break;
      }
      assert.ok(asked - since < PROPAGATION_MS, `${what}: ${hostOf(base)} still answers the session ${Math.round(asked - since)} ms later`);
      await sleep(10);
    }
  }
  return Math.max(...lags);
}

// --- the instances, started and restarted by this file ---------------------------------------

const running = [null, null, null];

/** Starts instance `i` (0-based) through its launcher and waits until /readyz answers 200. */
async function startInstance(i) {
  const child = spawn(launchers[i], [], { stdio: "ignore", env: process.env });
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  running[i] = { child, exited };
  const deadline = performance.now() + 30_000;
  for (;;) {
    const outcome = await Promise.race([exited, sleep(0).then(() => null)]);
    if (outcome) throw new Error(`instance ${i + 1} exited during start-up: ${JSON.stringify(outcome)} (see ${work}/gatehouse-${i + 1}.log)`);
    try {
      const ready = await fetch(`${instances[i]}/readyz`);
      await ready.arrayBuffer();
      if (ready.status === 200) return;
    } catch {
      // not listening yet
    }
    if (performance.now() > deadline) throw new Error(`instance ${i + 1} not ready within 30 s`);
    await sleep(25);
  }
}

/** SIGTERM to instance `i`; resolves with its exit once it is gone. */
async function stopInstance(i) {
  const { child, exited } = running[i];
  child.kill("SIGTERM");
  const outcome = await exited;
  running[i] = null;
  return outcome;
}

// --- nginx's upstream, changed as an orchestrator changes it: edit, reload, wait -----------------

/** nginx's worker processes: the children of its master (from /proc). */
function nginxWorkers() {
  const workers = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // gone meanwhile
    }
    // "pid (comm) state ppid …": the command may hold spaces and parentheses, so after the last ")".
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid === nginxMaster) workers.push(Number(entry));
  }
  return workers;
}

/** Runs a command; resolves with its exit code and output. */
function runCommand(command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

/**
 * Marks instance `i` (0-based) `down` in the upstream file, or removes its `down`, then reloads
 * nginx and waits until the reload has taken effect: every worker that was there before has
 * exited and a new one serves. The old workers finish the requests they hold (answering them
 * with `Connection: close`) and close their idle connections before they exit, so from then on
 * every request, and every connection to an instance, is the new workers', which read the new
 * upstream. A fixed sleep would guess; this waits exactly as long as the old configuration lives.
 */
async function setDown(i, down) {
  const host = hostOf(instances[i]);
  const lines = readFileSync(upstreamFile, "utf8").split("\n");
  const line = lines.findIndex((text) => /^server\s/.test(text.trim()) && text.trim().split(/[\s;]+/)[1] === host);
  assert.ok(line >= 0, `${upstreamFile} has a server line for ${host}`);
  const bare = lines[line].replace(/\s+down(?=\s*;)/, "");
  lines[line] = down ? bare.replace(/\s*;\s*$/, " down;") : bare;
  writeFileSync(upstreamFile, lines.join("\n"));

  const before = new Set(nginxWorkers());
  assert.ok(before.size > 0, `nginx (PID ${nginxMaster}) has workers`);
  const reload = await runCommand(nginxCommand, ["-p", nginxPrefix, "-c", nginxConf, "-s", "reload"]);
  assert.equal(reload.code, 0, `nginx -s reload: ${reload.output}`);
  const deadline = performance.now() + 30_000;
  for (;;) {
    const now = nginxWorkers();
    if (now.length > 0 && now.every((pid) => !before.has(pid))) return;
    if (performance.now() > deadline) {
      throw new Error(`nginx reload (instance ${i + 1} ${down ? "down" : "up"}) not in effect after 30 s: workers ${now.join(" ")}, before ${[...before].join(" ")} (see ${nginxPrefix}/nginx-error.log)`);
    }
    await sleep(20);
  }
}

process.on("exit", () => {
  for (const instance of running) instance?.child.kill("SIGKILL");
});

describe(`three instances behind nginx (${strategy} sessions, PostgreSQL)`, () => {
  before(async () => {
    await Promise.all([0, 1, 2].map(startInstance));
  });

  after(async () => {
    await Promise.all(running.map(async (instance, i) => {
      if (!instance) return;
      const timer = setTimeout(() => instance.child.kill("SIGKILL"), 35_000);
      await stopInstance(i);
      clearTimeout(timer);
    }));
  });

  test("a session made through nginx, by sign-up or sign-in, is valid on every instance, by cookie and by bearer", async () => {
    const signedUp = await signUp();
    const signedIn = await signIn(nginx, signedUp.email);

    assert.notEqual(signedIn.token, signedUp.token);
    for (const session of [signedUp, signedIn]) {
      for (const [how, credential] of presentations(session)) {
        for (const base of instances) {
          assert.equal(await whoOn(base, credential), signedUp.userId, `${how} on ${hostOf(base)}`);
        }
      }
    }
  });

  test("a sign-out on instance 1 ends the session on instances 2 and 3 within a second, by cookie and by bearer", async (t) => {
    const { email } = await signUp();
    const byCookie = await signIn(nginx, email);
    const byBearer = await signIn(nginx, email);
    // Every instance has seen both sessions (the database strategy caches what it has read).
    for (const base of instances) {
      assert.ok(await whoOn(base, { cookie: byCookie.cookie }));
      assert.ok(await whoOn(base, { bearer: byBearer.token }));
    }

    const cookieOut = await call(instances[0], "/api/auth/sign-out", { method: "POST", body: {}, cookie: byCookie.cookie });
    const cookieAt = performance.now();
    assert.equal(await whoOn(instances[0], { cookie: byCookie.cookie }), null, "at once on the instance that signed out");
    const cookieLag = await endedEverywhere({ cookie: byCookie.cookie }, cookieAt, "cookie sign-out");

    const bearerOut = await call(instances[1], "/api/auth/sign-out", { method: "POST", body: {}, bearer: byBearer.token, origin: null });
    const bearerAt = performance.now();
    const bearerLag = await endedEverywhere({ bearer: byBearer.signed }, bearerAt, "bearer sign-out");

    assert.deepEqual([cookieOut.status, cookieOut.json], [200, { success: true }]);
    assert.deepEqual([bearerOut.status, bearerOut.json], [200, { success: true }]);
    t.diagnostic(`sign-out seen by every instance after ${Math.round(cookieLag)} ms (cookie) and ${Math.round(bearerLag)} ms (bearer)`);
  });

  test("revoke-sessions on one instance ends every session of the user on every instance", async (t) => {
    const first = await signUp();
    const second = await signIn(instances[1], first.email);
    const third = await signIn(instances[2], first.email);
    for (const session of [first, second, third]) {
      for (const base of instances) assert.equal(await whoOn(base, { cookie: session.cookie }), first.userId);
    }

    const revoked = await call(instances[0], "/api/auth/revoke-sessions", { method: "POST", body: {}, cookie: first.cookie });
    const at = performance.now();

    assert.deepEqual([revoked.status, revoked.json], [200, { status: true }], revoked.text);
    let lag = 0;
    for (const session of [first, second, third]) {
      lag = Math.max(lag, await endedEverywhere({ cookie: session.cookie }, at, "revoke-sessions"));
      for (const base of instances) assert.equal(await whoOn(base, { bearer: session.token }), null);
    }
    t.diagnostic(`every session gone from every instance after ${Math.round(lag)} ms`);
  });

  test("change-password with revokeOtherSessions on one instance ends the old sessions everywhere; the new one holds everywhere", async (t) => {
    const NEW = "another-passphrase-2";
    const first = await signUp();
    const second = await signIn(instances[0], first.email);
    const third = await signIn(instances[1], first.email);
    for (const session of [first, second, third]) {
      for (const base of instances) assert.equal(await whoOn(base, { bearer: session.token }), first.userId);
    }

    const changed = await call(instances[2], "/api/auth/change-password", {
      method: "POST",
      body: { currentPassword: PASSWORD, newPassword: NEW, revokeOtherSessions: true },
      cookie: third.cookie,
      xff: nextAddress(),
    });
    const at = performance.now();

    assert.equal(changed.status, 200, changed.text);
    assert.equal(typeof changed.json.token, "string", "this device gets a new session");
    const renewed = credentials(changed);
    for (const base of instances) assert.equal(await whoOn(base, { cookie: renewed.cookie }), first.userId, `the new session on ${hostOf(base)}`);
    let lag = 0;
    for (const session of [first, second, third]) {
      lag = Math.max(lag, await endedEverywhere({ bearer: session.token }, at, "change-password"));
    }
    const old = await call(nginx, "/api/auth/sign-in/email", { method: "POST", body: { email: first.email, password: PASSWORD }, xff: nextAddress() });
    assert.deepEqual([old.status, old.json?.code], [401, "INVALID_EMAIL_OR_PASSWORD"]);
    await signIn(nginx, first.email, NEW);
    t.diagnostic(`old sessions gone from every instance after ${Math.round(lag)} ms`);
  });

  test("the failed-sign-in lock is one for all instances: five failures anywhere, then 429 everywhere", async () => {
    // README, "Abuse limits": an account whose sign-in failed five times in 15 minutes is refused
    // (429 with Retry-After) until the window ends, even with the right password. Each attempt
    // comes from its own address, so only the account's count can refuse it.
    const { email } = await signUp();
    const upstreams = new Set();
    for (let attempt = 1; attempt <= 5; attempt++) {
      const wrong = await call(nginx, "/api/auth/sign-in/email", { method: "POST", body: { email, password: `wrong-password-${attempt}` }, xff: nextAddress() });
      assert.deepEqual([wrong.status, wrong.json?.code], [401, "INVALID_EMAIL_OR_PASSWORD"], `failure ${attempt}`);
      upstreams.add(wrong.upstream);
    }
    assert.deepEqual([...upstreams].sort(), instances.map(hostOf).sort(), "the failures were spread over the three instances");

    const locked = await call(nginx, "/api/auth/sign-in/email", { method: "POST", body: { email, password: PASSWORD }, xff: nextAddress() });
    assert.deepEqual([locked.status, locked.json?.code], [429, "TOO_MANY_REQUESTS"], `the sixth, right password, through nginx (${locked.upstream})`);
    assert.ok(Number(locked.headers.get("retry-after")) > 0, "Retry-After");
    for (const base of instances) {
      const direct = await call(base, "/api/auth/sign-in/email", { method: "POST", body: { email, password: PASSWORD }, xff: nextAddress() });
      assert.deepEqual([direct.status, direct.json?.code], [429, "TOO_MANY_REQUESTS"], `the right password on ${hostOf(base)}`);
      assert.ok(Number(direct.headers.get("retry-after")) > 0);
    }
  });

  test("a per-address limit is one for all instances: 10 sign-ups a minute from one address, spread over the three", async () => {
    // README, "Abuse limits": 10 sign-ups per minute per client address. nginx appends the
    // client's address to X-Forwarded-For and the instances trust nginx (127.0.0.1/32), so the
    // address sent here is the client address every instance counts.
    const address = nextAddress(2);
    const upstreams = new Set();
    for (let n = 1; n <= 10; n++) {
      const ok = await call(nginx, "/api/auth/sign-up", { method: "POST", body: { name: "", email: `${unique("limit")}@example.com`, password: PASSWORD }, xff: address });
      assert.equal(ok.status, 200, `sign-up ${n}: ${ok.text}`);
      upstreams.add(ok.upstream);
    }
    assert.deepEqual([...upstreams].sort(), instances.map(hostOf).sort(), "the sign-ups were spread over the three instances");

    const refused = await call(nginx, "/api/auth/sign-up", { method: "POST", body: { name: "", email: `${unique("limit")}@example.com`, password: PASSWORD }, xff: address });
    assert.deepEqual([refused.status, refused.json?.code], [429, "TOO_MANY_REQUESTS"], `the eleventh (${refused.upstream})`);
    assert.ok(Number(refused.headers.get("retry-after")) > 0, "Retry-After");
    for (const base of instances) {
      const direct = await call(base, "/api/auth/sign-up", { method: "POST", body: { name: "", email: `${unique("limit")}@example.com`, password: PASSWORD }, xff: address });
      assert.deepEqual([direct.status, direct.json?.code], [429, "TOO_MANY_REQUESTS"], `from the same address on ${hostOf(base)}`);
    }
    const elsewhere = await call(nginx, "/api/auth/sign-up", { method: "POST", body: { name: "", email: `${unique("limit")}@example.com`, password: PASSWORD }, xff: nextAddress(2) });
    assert.equal(elsewhere.status, 200, "another address is not limited");
  });

  test(`a rolling restart under load (${LOAD_CLIENTS} clients signing up through nginx) fails no request and loses no sign-up`, async (t) => {
    const t0 = performance.now();
    const at = () => Math.round(performance.now() - t0);
    const requests = [];
    const events = [];
    const acknowledged = [];
    /** When each instance was out of nginx's upstream: from the reload taking effect until it was ready again. */
    const out = [];
    let stopping = false;

    const client = async (id) => {
      for (let n = 0; !stopping; n++) {
        const email = `${unique(`load${id}`)}@example.com`;
        const start = at();
        let signedUp;
        try {
          signedUp = await call(nginx, "/api/auth/sign-up", { method: "POST", body: { name: "Load", email, password: PASSWORD }, xff: nextAddress(3) });
          requests.push({ op: "sign-up", email, start, end: at(), status: signedUp.status, upstream: signedUp.upstream, body: signedUp.status === 200 ? undefined : signedUp.text });
        } catch (error) {
          requests.push({ op: "sign-up", email, start, end: at(), error: String(error.cause?.code ?? error.message) });
          continue;
        }
        if (signedUp.status !== 200) continue;
        acknowledged.push({ email, userId: signedUp.json.user.id });
        const asked = at();
        try {
          const session = await call(nginx, "/api/auth/get-session", { bearer: signedUp.json.token });
          const same = session.json?.user?.id === signedUp.json.user.id;
          requests.push({ op: "get-session", email, start: asked, end: at(), status: session.status, upstream: session.upstream, ...(same ? {} : { body: session.text }) });
        } catch (error) {
          requests.push({ op: "get-session", email, start: asked, end: at(), error: String(error.cause?.code ?? error.message) });
        }
      }
    };

    const load = Array.from({ length: LOAD_CLIENTS }, (_, id) => client(id));
    try {
      for (const i of [0, 1, 2]) {
        await sleep(SETTLE_MS);
        // As an orchestrator does it: out of the upstream first, in again once ready.
        await setDown(i, true);
        events.push({ at: at(), instance: i + 1, event: "nginx: down" });
        out.push({ instance: i, from: at() });
        events.push({ at: at(), instance: i + 1, event: "SIGTERM" });
        const exit = await stopInstance(i);
        events.push({ at: at(), instance: i + 1, event: "exited", ...exit });
        assert.deepEqual(exit, { code: 0, signal: null }, `instance ${i + 1} exits 0 on SIGTERM`);
        await startInstance(i);
        events.push({ at: at(), instance: i + 1, event: "ready" });
        out.at(-1).until = at();
        await setDown(i, false);
        events.push({ at: at(), instance: i + 1, event: "nginx: up" });
      }
      await sleep(SETTLE_MS);
    } finally {
      stopping = true;
      await Promise.all(load);
    }
    events.push({ at: at(), event: "load stopped" });

    // Every acknowledged sign-up signs in (through nginx, as a client would), eight at a time.
    const lost = [];
    const queue = [...acknowledged];
    await Promise.all(Array.from({ length: 8 }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const response = await call(nginx, "/api/auth/sign-in/email", { method: "POST", body: { email: next.email, password: PASSWORD }, xff: nextAddress(4) });
        if (response.status !== 200 || response.json.user.id !== next.userId) lost.push({ ...next, status: response.status, body: response.text });
      }
    }));
    // A failed sign-up's fate: did the instance create the user though the client got no 200?
    const failures = requests.filter((r) => r.error || r.status !== 200 || r.body);
    for (const failure of failures.filter((r) => r.op === "sign-up")) {
      const probe = await call(nginx, "/api/auth/sign-in/email", { method: "POST", body: { email: failure.email, password: PASSWORD }, xff: nextAddress(4) });
      failure.userExistsAfterwards = probe.status === 200;
    }

    writeFileSync(join(work, "rolling-restart.json"), JSON.stringify({ events, requests, lost }, null, 1));
    const count = (op) => requests.filter((r) => r.op === op).length;
    t.diagnostic(`${count("sign-up")} sign-ups (${acknowledged.length} acknowledged) and ${count("get-session")} get-sessions in ${at()} ms; events: ${events.map((e) => `${e.at} ms instance ${e.instance ?? "-"} ${e.event}`).join(", ")}`);
    for (const failure of failures) t.diagnostic(`failed: ${JSON.stringify(failure)}`);
    for (const missing of lost) t.diagnostic(`lost: ${JSON.stringify(missing)}`);

    assert.ok(acknowledged.length >= LOAD_CLIENTS, "the load made progress");
    const perInstance = new Set(requests.filter((r) => r.upstream).map((r) => r.upstream.split(",").pop().trim()));
    assert.equal(perInstance.size, 3, "every instance answered some of the load");
    assert.deepEqual(lost, [], "every acknowledged sign-up signs in afterwards");
    assert.deepEqual(failures, [], "no request failed during the rolling restart");
    // `down` took effect: no request sent while an instance was out reached it (not even tried).
    const strays = out.flatMap(({ instance, from, until }) =>
      requests.filter((r) => r.start >= from && r.start <= until && r.upstream?.includes(hostOf(instances[instance]))));
    assert.deepEqual(strays, [], "no request sent while an instance was out of the upstream reached it");
  });
});
