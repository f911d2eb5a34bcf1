// Makes import sources with the libraries themselves, for tests/api/import.rs:
//   node sources.mjs better-auth <postgres-url> <secret>
//     Better Auth 1.7.25 (its own migrator, the username and admin plugins) on PostgreSQL: users
//     signed up through its HTTP handler, one of them signed in with a session kept.
//   node sources.mjs lucia <postgres-url>
//     The Lucia tutorial's scheme with drizzle-orm on PostgreSQL: an `admin` table of user_name,
//     hashed_password (hex PBKDF2-SHA512, 10 000 iterations, 64 bytes, with crypto.pbkdf2 as the
//     tutorial calls it) and salt; plus one user with an argon2id hash (@node-rs/argon2).
//   node sources.mjs authjs <sqlite-file>
//     Auth.js's Drizzle adapter 1.11 on better-sqlite3 with its documented SQLite schema, plus the
//     credentials tutorial's `password` column holding bcrypt hashes (the bcrypt package, 10 rounds):
//     users made by the adapter's createUser, one with a GitHub account linked by linkAccount.
// Prints one JSON line: the users made, with their passwords and (Better Auth) session cookie.
import { pbkdf2 as pbkdf2Callback, getRandomValues } from "node:crypto";
import { promisify } from "node:util";
import pg from "pg";

const [library, url, secret] = process.argv.slice(2);
const pool = library === "authjs" ? null : new pg.Pool({ connectionString: url, max: 2 });

async function betterAuthSource() {
  const { betterAuth } = await import("better-auth");
  const { username, admin } = await import("better-auth/plugins");
  const { getMigrations } = await import("better-auth/db/migration");
  const auth = betterAuth({
    baseURL: "http://localhost:3000",
    secret,
    database: pool,
    emailAndPassword: { enabled: true },
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    plugins: [username(), admin()],
  });
  await (await getMigrations(auth.options)).runMigrations();
  const post = (path, body, cookie = "") =>
    auth.handler(
      new Request(`http://localhost:3000/api/auth${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: "http://localhost:3000", cookie },
        body: JSON.stringify(body),
      }),
    );
  const users = [];
  for (const [index, name] of ["Ada", "Bob", "Cy"].entries()) {
    const email = `${name.toLowerCase()}.${Date.now()}.${index}@Example.com`;
    const password = `${name}-password-${index}-long`;
    const signedUp = await post("/sign-up/email", {
      email,
      password,
      name,
      username: `${name.toLowerCase()}_${index}_${Date.now() % 100000}`,
    });
    if (signedUp.status !== 200) throw new Error(`sign-up: ${signedUp.status} ${await signedUp.text()}`);
    const cookie = signedUp.headers
      .getSetCookie()
      .find((c) => c.startsWith("better-auth.session_token="))
      .split(";")[0];
    users.push({ id: (await signedUp.json()).user.id, email, password, cookie });
  }
  // The last one signs out: that session must not come along.
  const signedOut = await post("/sign-out", {}, users[2].cookie);
  if (signedOut.status !== 200) throw new Error(`sign-out: ${signedOut.status}`);
  return users;
}

async function luciaSource() {
  const { drizzle } = await import("drizzle-orm/node-postgres");
  const { pgTable, text, serial } = await import("drizzle-orm/pg-core");
  const { sql } = await import("drizzle-orm");
  const { hash: argon2 } = await import("@node-rs/argon2");
  const db = drizzle(pool);
  const admin = pgTable("admin", {
    id: serial("id").primaryKey(),
    user_name: text("user_name").notNull().unique(),
    hashed_password: text("hashed_password").notNull(),
    salt: text("salt"),
  });
  await db.execute(sql`CREATE TABLE admin (id serial PRIMARY KEY, user_name text NOT NULL UNIQUE,
    hashed_password text NOT NULL, salt text)`);
  const pbkdf2 = promisify(pbkdf2Callback);
  const encodeHex = (bytes) => Buffer.from(bytes).toString("hex");
  const users = [];
  for (let i = 0; i < 3; i++) {
    const username = `lucia_user_${i}`;
    const password = `lucia-password-${i}`;
    // The tutorial: a random 16-byte hex salt; the hash is pbkdf2(password, salt, 10000, 64, sha512) in hex.
    const salt = encodeHex(getRandomValues(new Uint8Array(16)));
    const hashed = encodeHex(await pbkdf2(password, salt, 10000, 64, "sha512"));
    await db.insert(admin).values({ user_name: username, hashed_password: hashed, salt });
    users.push({ username, password });
  }
  const password = "argon2-password";
  const hashed = await argon2(password, { memoryCost: 19456, timeCost: 2, outputLen: 32, parallelism: 1 });
  await db.insert(admin).values({ user_name: "lucia_argon", hashed_password: hashed });
  users.push({ username: "lucia_argon", password });
  return users;
}

async function authjsSource() {
  const { default: Database } = await import("better-sqlite3");
  const { drizzle } = await import("drizzle-orm/better-sqlite3");
  const { sqliteTable, text, integer, primaryKey } = await import("drizzle-orm/sqlite-core");
  const { DrizzleAdapter } = await import("@auth/drizzle-adapter");
  const bcrypt = (await import("bcrypt")).default;
  const sqlite = new Database(url);
  // The schema of Auth.js's Drizzle guide for SQLite, with the credentials tutorial's column.
  sqlite.exec(`
    CREATE TABLE user (id text PRIMARY KEY NOT NULL, name text, email text UNIQUE,
      emailVerified integer, image text, password text);
    CREATE TABLE account (userId text NOT NULL REFERENCES user(id) ON DELETE cascade,
      type text NOT NULL, provider text NOT NULL, providerAccountId text NOT NULL,
      refresh_token text, access_token text, expires_at integer, token_type text, scope text,
      id_token text, session_state text, PRIMARY KEY (provider, providerAccountId));
    CREATE TABLE session (sessionToken text PRIMARY KEY NOT NULL,
      userId text NOT NULL REFERENCES user(id) ON DELETE cascade, expires integer NOT NULL);`);
  const usersTable = sqliteTable("user", {
    id: text("id").primaryKey().$defaultFn(() => crypto.randomUUID()),
    name: text("name"),
    email: text("email").unique(),
    emailVerified: integer("emailVerified", { mode: "timestamp_ms" }),
    image: text("image"),
    password: text("password"),
  });
  const accountsTable = sqliteTable(
    "account",
    {
      userId: text("userId").notNull(),
      type: text("type").notNull(),
      provider: text("provider").notNull(),
      providerAccountId: text("providerAccountId").notNull(),
      refresh_token: text("refresh_token"),
      access_token: text("access_token"),
      expires_at: integer("expires_at"),
      token_type: text("token_type"),
      scope: text("scope"),
      id_token: text("id_token"),
      session_state: text("session_state"),
    },
    (account) => [primaryKey({ columns: [account.provider, account.providerAccountId] })],
  );
  const sessionsTable = sqliteTable("session", {
    sessionToken: text("sessionToken").primaryKey(),
    userId: text("userId").notNull(),
    expires: integer("expires", { mode: "timestamp_ms" }).notNull(),
  });
  const adapter = DrizzleAdapter(drizzle(sqlite), { usersTable, accountsTable, sessionsTable });
  const users = [];
  for (const [index, name] of ["Dee", "Eve"].entries()) {
    const email = `${name.toLowerCase()}.${Date.now()}@Example.com`;
    const password = `${name}-password-${index}`;
    const user = await adapter.createUser({
      email,
      name,
      emailVerified: index === 0 ? new Date() : null,
      // The credentials tutorial: const hash = await bcrypt.hash(password, 10)
      password: await bcrypt.hash(password, 10),
    });
    users.push({ id: user.id, email, password, verified: index === 0 });
  }
  await adapter.linkAccount({
    userId: users[1].id,
    type: "oauth",
    provider: "github",
    providerAccountId: `gh-${Date.now()}`,
    access_token: "gho_not_imported",
    token_type: "bearer",
    scope: "read:user,user:email",
  });
  sqlite.close();
  return users;
}

const users =
  library === "better-auth"
    ? await betterAuthSource()
    : library === "lucia"
      ? await luciaSource()
      : await authjsSource();
await pool?.end();
console.log(JSON.stringify(users));
