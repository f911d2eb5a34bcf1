// Starts a real gatehouse for a test file: the strategy and database come from the environment
// (GATEHOUSE_TEST_STRATEGY = database | jwt, GATEHOUSE_TEST_DATABASE = sqlite | postgres), the
// binary from GATEHOUSE_BIN. Each call gets a fresh database, removed by stop().
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";

export const strategy = process.env.GATEHOUSE_TEST_STRATEGY ?? "database";
export const database = process.env.GATEHOUSE_TEST_DATABASE ?? "sqlite";
const pgBase = process.env.GATEHOUSE_TEST_PG ?? "postgres://postgres@127.0.0.1:5432";

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(url, attempts = 500) {
  for (let i = 0; i < attempts; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no answer from ${url}`);
}

/** Starts gatehouse; `env` adds or overrides configuration. */
export async function startGatehouse(env = {}) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), "gatehouse-browser-"));
  let databaseUrl = `sqlite://${join(dir, "g.db")}`;
  let pgName = null;
  if (database === "postgres") {
    pgName = `gatehouse_browser_${randomBytes(6).toString("hex")}`;
    execFileSync("psql", [`${pgBase}/postgres`, "-qtAc", `CREATE DATABASE ${pgName}`]);
    databaseUrl = `${pgBase}/${pgName}`;
  }
  const child = spawn(process.env.GATEHOUSE_BIN, [], {
    env: {
      ...process.env,
      RUST_LOG: "warn",
      GATEHOUSE_BIND: `127.0.0.1:${port}`,
      GATEHOUSE_BASE_URL: url,
      DATABASE_URL: databaseUrl,
      GATEHOUSE_SECRET: "browser-test-secret-0123456789abcdef-012",
      GATEHOUSE_SESSION_STRATEGY: strategy,
      GATEHOUSE_BCRYPT_COST: "10",
      GATEHOUSE_RATE_LIMIT: "off",
      ...env,
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  await waitFor(`${url}/readyz`);
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      if (pgName) execFileSync("psql", [`${pgBase}/postgres`, "-qtAc", `DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
