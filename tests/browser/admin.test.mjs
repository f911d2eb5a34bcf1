// The admin API driven by the real better-auth client's `adminClient()`, each method as an admin
// app calls it, against a gatehouse started with GATEHOUSE_ADMIN=on. The first admin is made as
// the README says, with `gatehouse user set-role` on the server (GATEHOUSE_BIN, with the server's
// DATABASE_URL and secret in the environment, which scripts/browser-test.sh passes).
import { describe, test, before } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { browserLikeClient } from "./browser-like.mjs";
import { PASSWORD, cookiePrefix, database, settled, strategy, unique, url } from "./target.mjs";

const ADMIN_SESSION = `${cookiePrefix}.admin_session`;
const SESSION_COOKIE = `${cookiePrefix}.session_token`;

/** `gatehouse user ARGS...` against the server's database; its standard output. */
function gatehouseUser(...args) {
  const bin = process.env.GATEHOUSE_BIN;
  if (!bin) throw new Error("GATEHOUSE_BIN is not set: run scripts/browser-test.sh");
  return execFileSync(bin, ["user", ...args], { encoding: "utf8", env: process.env });
}

/** A new user signed up (and signed in) in a browser of its own. */
async function signedUp(prefix) {
  const browser = browserLikeClient();
  const email = `${unique(prefix)}@example.com`;
  const { data, error } = await browser.client.signUp.email({ name: prefix, email, password: PASSWORD });
  assert.equal(error, null, JSON.stringify(error));
  return { ...browser, email, id: data.user.id };
}

describe(`adminClient() against ${url} (${strategy} sessions, ${database})`, () => {
  let admin;
  before(async () => {
    admin = await signedUp("admin");
    gatehouseUser("set-role", admin.email, "admin");
    // Sign in again so the session reads the role.
    const { error } = await admin.client.signIn.email({ email: admin.email, password: PASSWORD });
    assert.equal(error, null, JSON.stringify(error));
  });

  test("a plain user gets the admin plugin's 403 codes", async () => {
    const user = await signedUp("plain");
    const listed = await user.client.admin.listUsers({ query: {} });
    const banned = await user.client.admin.banUser({ userId: admin.id });
    const asked = await user.client.admin.hasPermission({ permissions: { user: ["ban"] } });

    assert.equal(listed.error.status, 403);
    assert.equal(listed.error.code, "YOU_ARE_NOT_ALLOWED_TO_LIST_USERS");
    assert.equal(banned.error.code, "YOU_ARE_NOT_ALLOWED_TO_BAN_USERS");
    assert.deepEqual(asked.data, { error: null, success: false });
    const session = await admin.client.getSession();
    assert.equal(session.data.user.banned, false, "the refused ban changed nothing");
  });

  test("createUser, listUsers, getUser, updateUser, setRole, hasPermission", async () => {
    const email = `${unique("made")}@example.com`;
    const created = await admin.client.admin.createUser({ email: email.toUpperCase(), password: PASSWORD, name: "Made", role: "user", data: { emailVerified: true } });
    assert.equal(created.error, null, JSON.stringify(created.error));
    const { user } = created.data;
    assert.equal(user.email, email);
    assert.equal(user.role, "user");
    assert.equal(user.banned, false);
    assert.ok(user.createdAt instanceof Date || typeof user.createdAt === "string");
    const taken = await admin.client.admin.createUser({ email, password: PASSWORD, name: "Again" });
    assert.equal(taken.error.status, 400);
    assert.equal(taken.error.code, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL");

    const listed = await admin.client.admin.listUsers({ query: { searchValue: email.slice(0, 12), searchField: "email", limit: 5 } });
    assert.equal(listed.error, null, JSON.stringify(listed.error));
    assert.ok(listed.data.users.some((found) => found.id === user.id));
    assert.equal(listed.data.limit, 5);
    const found = await admin.client.admin.getUser({ query: { id: user.id } });
    assert.equal(found.data.id, user.id, "get-user answers the bare user");

    const updated = await admin.client.admin.updateUser({ userId: user.id, data: { name: "Renamed" } });
    assert.equal(updated.error, null, JSON.stringify(updated.error));
    assert.equal(updated.data.name, "Renamed");
    const empty = await admin.client.admin.updateUser({ userId: user.id, data: {} });
    assert.equal(empty.error.code, "NO_DATA_TO_UPDATE");

    const promoted = await admin.client.admin.setRole({ userId: user.id, role: ["user", "admin"] });
    assert.equal(promoted.data.user.role, "user,admin");
    const unknownRole = await admin.client.admin.setRole({ userId: user.id, role: "boss" });
    assert.equal(unknownRole.error.code, "YOU_ARE_NOT_ALLOWED_TO_SET_NON_EXISTENT_VALUE");
    const asked = await admin.client.admin.hasPermission({ permissions: { user: ["ban", "impersonate"], session: ["revoke"] } });
    assert.deepEqual(asked.data, { error: null, success: true });
  });

  test("setUserPassword, listUserSessions, revokeUserSession(s), banUser, unbanUser, removeUser", async () => {
    const user = await signedUp("managed");
    const sessions = await admin.client.admin.listUserSessions({ userId: user.id });
    assert.equal(sessions.error, null, JSON.stringify(sessions.error));
    assert.equal(sessions.data.sessions.length, 1);
    assert.equal(sessions.data.sessions[0].impersonatedBy, null);

    const one = await admin.client.admin.revokeUserSession({ sessionToken: sessions.data.sessions[0].id });
    assert.deepEqual(one.data, { success: true });
    const gone = await settled(() => user.client.getSession(), (read) => read.data === null);
    assert.equal(gone.data, null, "the revoked session is over");

    const password = await admin.client.admin.setUserPassword({ userId: user.id, newPassword: "a-new-password-9" });
    assert.deepEqual(password.data, { status: true });
    const signedIn = await user.client.signIn.email({ email: user.email, password: "a-new-password-9" });
    assert.equal(signedIn.error, null, JSON.stringify(signedIn.error));
    const all = await admin.client.admin.revokeUserSessions({ userId: user.id });
    assert.deepEqual(all.data, { success: true });
    assert.equal((await settled(() => user.client.getSession(), (read) => read.data === null)).data, null);

    await user.client.signIn.email({ email: user.email, password: "a-new-password-9" });
    const banned = await admin.client.admin.banUser({ userId: user.id, banReason: "spam", banExpiresIn: 3600 });
    assert.equal(banned.data.user.banned, true);
    assert.equal(banned.data.user.banReason, "spam");
    assert.equal((await settled(() => user.client.getSession(), (read) => read.data === null)).data, null);
    const refused = await user.client.signIn.email({ email: user.email, password: "a-new-password-9" });
    assert.equal(refused.error.status, 403);
    assert.equal(refused.error.code, "BANNED_USER");
    const own = await admin.client.admin.banUser({ userId: admin.id });
    assert.equal(own.error.code, "YOU_CANNOT_BAN_YOURSELF");

    const unbanned = await admin.client.admin.unbanUser({ userId: user.id });
    assert.equal(unbanned.data.user.banned, false);
    const back = await user.client.signIn.email({ email: user.email, password: "a-new-password-9" });
    assert.equal(back.error, null, JSON.stringify(back.error));

    const removed = await admin.client.admin.removeUser({ userId: user.id });
    assert.deepEqual(removed.data, { success: true });
    const missing = await admin.client.admin.getUser({ query: { id: user.id } });
    assert.equal(missing.error.status, 404);
    assert.equal(missing.error.code, "USER_NOT_FOUND");
  });

  test("impersonateUser, then stopImpersonating, in the admin's own browser", async () => {
    const user = await signedUp("acted");
    const before = await admin.client.getSession();

    const acting = await admin.client.admin.impersonateUser({ userId: user.id });

    assert.equal(acting.error, null, JSON.stringify(acting.error));
    assert.equal(acting.data.user.id, user.id);
    assert.equal(acting.data.session.impersonatedBy, admin.id);
    assert.ok(admin.jar.has(ADMIN_SESSION), "the admin's session is kept in its cookie");
    const asUser = await admin.client.getSession();
    assert.equal(asUser.data.user.id, user.id);
    assert.equal(asUser.data.session.impersonatedBy, admin.id);
    const hour = new Date(asUser.data.session.expiresAt).getTime() - Date.now();
    assert.ok(hour <= 3600_000 && hour > 3500_000, `an hour: ${hour} ms`);
    const own = await user.client.listSessions();
    assert.equal(own.data.length, 1, "the user does not see the admin's session");
    const further = await admin.client.admin.impersonateUser({ userId: user.id });
    assert.equal(further.error.code, "YOU_ARE_NOT_ALLOWED_TO_IMPERSONATE_USERS");

    const stopped = await admin.client.admin.stopImpersonating();

    assert.equal(stopped.error, null, JSON.stringify(stopped.error));
    assert.equal(stopped.data.user.id, admin.id);
    assert.equal(admin.jar.has(ADMIN_SESSION), false);
    assert.ok(admin.jar.get(SESSION_COOKIE).attributes["max-age"], "the admin's remembered cookie is back");
    const after = await admin.client.getSession();
    assert.equal(after.data.user.id, admin.id);
    assert.equal(after.data.session.id, before.data.session.id, "the same admin session");
    const notActing = await admin.client.admin.stopImpersonating();
    assert.equal(notActing.error.code, "NOT_IMPERSONATING");
  });

  test("an admin cannot be impersonated", async () => {
    const other = await signedUp("otheradmin");
    gatehouseUser("set-role", other.id, "admin");
    const refused = await admin.client.admin.impersonateUser({ userId: other.id });
    assert.equal(refused.error.status, 403);
    assert.equal(refused.error.code, "YOU_CANNOT_IMPERSONATE_ADMINS");
  });
});
