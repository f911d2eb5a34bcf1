// gatehouse driven by the real better-auth client, as an app that uses `better-auth/client` would
// drive it: a cookie jar stands in for the browser, and every request carries the app's Origin
// (a trusted one) as a browser would. The expectations are Better Auth 1.7.25's: with
// COOKIE_PREFIX=better-auth and GATEHOUSE_URL pointing at the reference server, this file checks
// Better Auth itself (the gatehouse-only assertions are skipped).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { BASE_ERROR_CODES } from "better-auth";
import { createAuthClient } from "better-auth/client";
import { usernameClient } from "better-auth/client/plugins";
import { linkIn, mailTo } from "./mail.mjs";
import { browserLikeClient } from "./browser-like.mjs";
import { PASSWORD, cookiePrefix, database, isGatehouse, mailDir, settled, spaOrigin, strategy, unique, url } from "./target.mjs";

const SESSION_COOKIE = `${cookiePrefix}.session_token`;
const DONT_REMEMBER = `${cookiePrefix}.dont_remember`;
const DAY = 86400_000;

/**
 * The error codes an app matches `error.code` against. `authClient.$ERROR_CODES` is declared by the
 * client's types as BASE_ERROR_CODES plus each plugin's `$ERROR_CODES`, but at run time it is only
 * the client's path proxy (a function), so the test builds the same object from the exports.
 */
const ERROR_CODES = { ...BASE_ERROR_CODES, ...usernameClient().$ERROR_CODES };

const approximately = (date, expected, slackMs = 120_000) =>
  assert.ok(Math.abs(date.getTime() - expected) < slackMs, `${date.toISOString()} is not ~${new Date(expected).toISOString()}`);

describe(`better-auth client against ${url} (${strategy} sessions, ${database})`, () => {
  test("signUp.email without a username, getSession, signOut, then no session", async () => {
    const { client, jar, seen } = browserLikeClient();
    const email = `${unique("plain")}@example.com`;
    let setAuthToken = null;

    const signedUp = await client.signUp.email(
      { name: "Plain", email: email.toUpperCase(), password: PASSWORD },
      { onSuccess: (ctx) => { setAuthToken = ctx.response.headers.get("set-auth-token"); } },
    );
    let setAuthJwt = null;
    const session = await client.getSession({
      fetchOptions: { onSuccess: (ctx) => { setAuthJwt = ctx.response.headers.get("set-auth-jwt"); } },
    });

    assert.equal(signedUp.error, null, JSON.stringify(signedUp.error));
    const { token, user } = signedUp.data;
    assert.deepEqual(Object.keys(signedUp.data).sort(), ["token", "user"]);
    assert.equal(user.email, email, "lower-cased");
    assert.equal(user.name, "Plain");
    assert.equal(user.emailVerified, false);
    assert.equal(user.image, null);
    assert.equal(user.username, null);
    assert.equal(user.displayUsername, null);
    assert.ok(user.createdAt instanceof Date, "sign-up dates are revived too");
    assert.equal(decodeURIComponent(jar.get(SESSION_COOKIE).value), setAuthToken, "the cookie holds the set-auth-token value");
    assert.ok(setAuthToken.startsWith(`${token}.`), "set-auth-token is the signed token");
    assert.equal(jar.has(DONT_REMEMBER), false);

    assert.equal(session.error, null, JSON.stringify(session.error));
    assert.deepEqual(Object.keys(session.data).sort(), ["session", "user"]);
    assert.equal(session.data.user.id, user.id);
    assert.equal(session.data.user.email, email);
    assert.equal(session.data.session.userId, user.id);
    assert.equal(session.data.session.token, token, "session.token is the token from sign-up");
    for (const field of ["expiresAt", "createdAt", "updatedAt"]) {
      assert.ok(session.data.session[field] instanceof Date, `session.${field} is a Date`);
    }
    for (const field of ["createdAt", "updatedAt"]) assert.ok(session.data.user[field] instanceof Date, `user.${field} is a Date`);
    approximately(session.data.session.expiresAt, Date.now() + 7 * DAY);
    if (strategy === "jwt") {
      assert.equal(token.split(".").length, 3, "the jwt strategy's token is a JWT");
      assert.equal(setAuthJwt, token, "get-session sends set-auth-jwt");
    } else {
      assert.match(token, /^[A-Za-z0-9]{32}$/);
      assert.equal(setAuthJwt, null);
    }

    const signedOut = await client.signOut();
    const after = await client.getSession();

    assert.equal(signedOut.error, null, JSON.stringify(signedOut.error));
    assert.deepEqual(signedOut.data, { success: true });
    assert.equal(jar.has(SESSION_COOKIE), false, "sign-out expires the cookie");
    assert.equal(after.error, null);
    assert.equal(after.data, null);
    for (const { request } of seen) assert.equal(request.get("origin"), spaOrigin);
    if (isGatehouse) {
      for (const { url, response } of seen) {
        assert.equal(response.headers.get("access-control-allow-origin"), spaOrigin, `CORS on ${url}`);
        assert.equal(response.headers.get("access-control-allow-credentials"), "true");
      }
    }
  });

  test("signUp.email with a username; signIn.email and signIn.username each open their own session", async () => {
    const { client: signer } = browserLikeClient();
    const email = `${unique("named")}@example.com`;
    const username = unique("Named");

    const signedUp = await signer.signUp.email({ name: "Named", email, password: PASSWORD, username });
    const { client: byEmail } = browserLikeClient();
    const { client: byUsername } = browserLikeClient();
    const viaEmail = await byEmail.signIn.email({ email: email.toUpperCase(), password: PASSWORD });
    const viaUsername = await byUsername.signIn.username({ username: username.toUpperCase(), password: PASSWORD });
    const emailSession = await byEmail.getSession();
    const usernameSession = await byUsername.getSession();

    assert.equal(signedUp.error, null, JSON.stringify(signedUp.error));
    assert.equal(signedUp.data.user.username, username.toLowerCase());
    assert.equal(signedUp.data.user.displayUsername, username, "displayUsername defaults to the typed username");
    for (const signedIn of [viaEmail, viaUsername]) {
      assert.equal(signedIn.error, null, JSON.stringify(signedIn.error));
      assert.deepEqual(Object.keys(signedIn.data).sort(), ["redirect", "token", "user"]);
      assert.equal(signedIn.data.redirect, false);
      assert.equal(signedIn.data.user.id, signedUp.data.user.id);
    }
    assert.equal(emailSession.data.user.username, username.toLowerCase());
    assert.equal(emailSession.data.session.token, viaEmail.data.token);
    assert.equal(usernameSession.data.session.token, viaUsername.data.token);
    assert.notEqual(emailSession.data.session.id, usernameSession.data.session.id);

    await byEmail.signOut();
    assert.equal((await byEmail.getSession()).data, null);
    assert.equal((await byUsername.getSession()).data.user.id, signedUp.data.user.id, "other sessions live on");
  });

  test("listSessions, then revokeSession, revokeOtherSessions and revokeSessions", async () => {
    const { client: phone } = browserLikeClient();
    const email = `${unique("devices")}@example.com`;
    await phone.signUp.email({ name: "Devices", email, password: PASSWORD });
    const [laptop, tablet] = [browserLikeClient().client, browserLikeClient().client];
    for (const device of [laptop, tablet]) {
      assert.equal((await device.signIn.email({ email, password: PASSWORD })).error, null);
    }
    const laptopId = (await laptop.getSession()).data.session.id;

    const listed = await phone.listSessions();

    assert.equal(listed.error, null, JSON.stringify(listed.error));
    assert.equal(listed.data.length, 3);
    assert.ok(listed.data.every((item) => item.createdAt instanceof Date), "dates are revived");
    if (isGatehouse) {
      assert.ok(listed.data.every((item) => item.token === item.id), "list items carry handles, not tokens");
    }
    const laptopItem = listed.data.find((item) => item.id === laptopId);
    assert.deepEqual((await phone.revokeSession({ token: laptopItem.token })).data, { status: true });
    assert.equal((await settled(() => laptop.getSession(), (r) => r.data === null)).data, null, "the laptop is signed out");
    assert.ok((await tablet.getSession()).data, "the tablet is not");

    assert.deepEqual((await phone.revokeOtherSessions()).data, { status: true });
    assert.equal((await settled(() => tablet.getSession(), (r) => r.data === null)).data, null);
    assert.equal((await phone.listSessions()).data.length, 1, "only the phone is left");

    assert.deepEqual((await phone.revokeSessions()).data, { status: true });
    assert.equal((await phone.getSession()).data, null);
  });

  test("changePassword, verifyPassword, updateUser, isUsernameAvailable, then deleteUser", async () => {
    const { client } = browserLikeClient();
    const { client: other } = browserLikeClient();
    const email = `${unique("account")}@example.com`;
    const username = unique("acct");
    const NEW = "another-passphrase-2";
    await client.signUp.email({ name: "Account", email, password: PASSWORD, username });
    await other.signIn.email({ email, password: PASSWORD });

    const taken = await client.isUsernameAvailable({ username: username.toUpperCase() });
    const free = await client.isUsernameAvailable({ username: `${username}_x` });
    assert.deepEqual([taken.data, free.data], [{ available: false }, { available: true }]);

    const wrong = await client.verifyPassword({ password: "not-the-password" });
    assert.equal(wrong.error.status, 400);
    assert.equal(wrong.error.code, "INVALID_PASSWORD");
    assert.deepEqual((await client.verifyPassword({ password: PASSWORD })).data, { status: true });

    const changed = await client.changePassword({ currentPassword: PASSWORD, newPassword: NEW, revokeOtherSessions: true });
    assert.equal(changed.error, null, JSON.stringify(changed.error));
    assert.equal(typeof changed.data.token, "string");
    assert.equal(changed.data.user.email, email);
    assert.equal((await settled(() => other.getSession(), (r) => r.data === null)).data, null, "the other session ended with the change");
    assert.ok((await client.getSession()).data, "this device holds the new session");

    const updated = await client.updateUser({ name: "Renamed", displayUsername: "Shown Name" });
    assert.deepEqual(updated.data, { status: true });
    const seen = (await client.getSession()).data.user;
    assert.equal(seen.name, "Renamed");
    assert.equal(seen.displayUsername, "Shown Name");
    if (isGatehouse) {
      const typed = await client.updateUser({ username: 123 });
      assert.equal(typed.error.status, 400, "a wrong type is a client error, not Better Auth's 500");
      assert.equal(typed.error.code, "VALIDATION_ERROR");

      const deleted = await client.deleteUser({ password: NEW });
      assert.equal(deleted.error, null, JSON.stringify(deleted.error));
      assert.deepEqual(deleted.data, { success: true, message: "User deleted" });
      assert.equal((await client.getSession()).data, null);
      const gone = await client.signIn.email({ email, password: NEW });
      assert.equal(gone.error.code, "INVALID_EMAIL_OR_PASSWORD");
    }
  });

  test("requestPasswordReset mails a link; resetPassword with its token sets the password once", { skip: !mailDir }, async () => {
    const { client } = browserLikeClient();
    const { client: other } = browserLikeClient();
    const email = `${unique("reset")}@example.com`;
    const NEW = "a-reset-passphrase-3";
    await client.signUp.email({ name: "Reset", email, password: PASSWORD });
    await other.signIn.email({ email, password: PASSWORD });

    const asked = await client.requestPasswordReset({ email, redirectTo: "/reset?from=mail" });
    const unknown = await client.requestPasswordReset({ email: `${unique("nobody")}@example.com` });
    const message = await mailTo(email, "Reset");
    const link = new URL(linkIn(message));
    const token = link.pathname.split("/").pop();
    const followed = await fetch(link, { redirect: "manual" });
    const reset = await client.resetPassword({ newPassword: NEW, token });
    const replayed = await client.resetPassword({ newPassword: "yet-another-one-4", token });

    assert.deepEqual(asked.data, { status: true, message: "If this email exists in our system, check your email for the reset link" });
    assert.deepEqual(unknown.data, asked.data, "the same answer for an unknown address");
    assert.equal(link.searchParams.get("callbackURL"), "/reset?from=mail");
    assert.equal(followed.status, 302);
    assert.equal(followed.headers.get("location"), `${new URL(url).origin}/reset?from=mail&token=${token}`);
    assert.equal(reset.error, null, JSON.stringify(reset.error));
    assert.deepEqual(reset.data, { status: true });
    assert.equal(replayed.error.status, 400);
    assert.equal(replayed.error.code, "INVALID_TOKEN");
    assert.equal((await settled(() => other.getSession(), (r) => r.data === null)).data, null, "a reset ends every session");
    assert.equal((await client.signIn.email({ email, password: PASSWORD })).error.code, "INVALID_EMAIL_OR_PASSWORD");
    assert.equal((await client.signIn.email({ email, password: NEW })).error, null);
  });

  test("sign-up mails a verification link; verifyEmail marks the address verified; sendVerificationEmail sends another", { skip: !mailDir }, async () => {
    const { client } = browserLikeClient();
    const email = `${unique("verify")}@example.com`;
    await client.signUp.email({ name: "Verify", email, password: PASSWORD, callbackURL: "/welcome" });

    const link = new URL(linkIn(await mailTo(email, "Verify")));
    const resent = await client.sendVerificationEmail({ email, callbackURL: "/again" });
    const second = new URL(linkIn(await mailTo(email, "Verify", 2)));
    const verified = await client.verifyEmail({ query: { token: link.searchParams.get("token") } });
    const user = (await settled(
      () => client.getSession({ query: { disableCookieCache: true } }),
      (r) => r.data?.user.emailVerified === true,
    )).data.user;
    const already = await client.sendVerificationEmail({ email });
    const replay = await client.verifyEmail({ query: { token: second.searchParams.get("token") } });

    assert.equal(link.searchParams.get("callbackURL"), "/welcome");
    assert.deepEqual(resent.data, { status: true });
    assert.equal(second.searchParams.get("callbackURL"), "/again");
    assert.equal(verified.error, null, JSON.stringify(verified.error));
    assert.deepEqual(verified.data, { status: true, user: null });
    assert.equal(user.emailVerified, true, "the session says so at once, in both strategies");
    assert.equal(already.error.status, 400);
    assert.equal(already.error.code, "EMAIL_ALREADY_VERIFIED");
    assert.deepEqual(replay.data, { status: true, user: null }, "a verified user's link answers as a replay");
    const signedIn = await client.signIn.email({ email, password: PASSWORD });
    assert.equal(signedIn.data.user.emailVerified, true);
  });

  test("signIn.magicLink mails a link; magicLink.verify with its token signs in", { skip: !mailDir || !isGatehouse }, async () => {
    const { client } = browserLikeClient();
    const { client: device } = browserLikeClient();
    const email = `${unique("magic")}@example.com`;
    await client.signUp.email({ name: "Magic", email, password: PASSWORD });
    // Verified first: a link to an unverified account would end its sessions and password.
    const verification = new URL(linkIn(await mailTo(email, "Verify")));
    await client.verifyEmail({ query: { token: verification.searchParams.get("token") } });

    const asked = await device.signIn.magicLink({ email, callbackURL: "/dashboard" });
    const link = new URL(linkIn(await mailTo(email, "Sign in")));
    const token = link.searchParams.get("token");
    const verified = await device.magicLink.verify({ query: { token } });
    const replay = await fetch(`${url}/api/auth/magic-link/verify?token=${token}`, { redirect: "manual" });

    assert.deepEqual(asked.data, { status: true });
    assert.equal(link.searchParams.get("callbackURL"), "/dashboard");
    assert.equal(verified.error, null, JSON.stringify(verified.error));
    assert.equal(verified.data.user.email, email);
    assert.equal(typeof verified.data.token, "string");
    assert.equal((await device.getSession()).data.user.email, email, "the device is signed in");
    assert.ok((await client.getSession()).data, "a verified user's other sessions stay");
    assert.equal(replay.status, 302);
    assert.match(replay.headers.get("location"), /[?&]error=INVALID_TOKEN/);
  });

  test("changeEmail: the old address confirms, the new one's link moves the account", { skip: !mailDir || !isGatehouse }, async () => {
    const { client } = browserLikeClient();
    const email = `${unique("moving")}@example.com`;
    const target = `${unique("moved")}@example.com`;
    await client.signUp.email({ name: "Moving", email, password: PASSWORD });
    const verification = new URL(linkIn(await mailTo(email, "Verify")));
    await client.verifyEmail({ query: { token: verification.searchParams.get("token") } });

    const asked = await client.changeEmail({ newEmail: target, callbackURL: "/settings" });
    const confirmation = new URL(linkIn(await mailTo(email, "Confirm")));
    const confirmed = await fetch(confirmation, { redirect: "manual" });
    const completion = new URL(linkIn(await mailTo(target, "Verify")));
    const moved = await client.verifyEmail({ query: { token: completion.searchParams.get("token") } });
    const session = await settled(
      () => client.getSession({ query: { disableCookieCache: true } }),
      (r) => r.data?.user.email === target,
    );

    assert.deepEqual(asked.data, { status: true });
    assert.equal(confirmed.status, 302);
    assert.equal(confirmed.headers.get("location"), "/settings");
    assert.equal(moved.error, null, JSON.stringify(moved.error));
    assert.equal(moved.data.user.email, target);
    assert.equal(moved.data.user.emailVerified, true);
    assert.equal(session.data.user.email, target, "the session follows the change");
    assert.equal((await client.signIn.email({ email, password: PASSWORD })).error.code, "INVALID_EMAIL_OR_PASSWORD");
  });

  test("rememberMe: false gives a browser-session cookie and a one-day session", async () => {
    const { client: signer } = browserLikeClient();
    const email = `${unique("brief")}@example.com`;
    await signer.signUp.email({ name: "", email, password: PASSWORD });
    const { client, jar } = browserLikeClient();

    const signedIn = await client.signIn.email({ email, password: PASSWORD, rememberMe: false });
    const session = await client.getSession();

    assert.equal(signedIn.error, null);
    const cookie = jar.get(SESSION_COOKIE);
    assert.equal(cookie.attributes["max-age"], undefined, "no Max-Age: the cookie dies with the browser");
    assert.equal(jar.get(DONT_REMEMBER).value.split(".")[0], "true");
    approximately(session.data.session.expiresAt, Date.now() + DAY);
  });

  test("bearer: set-auth-token through fetchOptions.auth, or the raw token in Authorization", async () => {
    const { client: signer } = browserLikeClient();
    const email = `${unique("bearer")}@example.com`;
    let stored = null;
    await signer.signUp.email(
      { name: "Bearer", email, password: PASSWORD },
      // As Better Auth's bearer docs do: keep the header, e.g. in localStorage.
      { onSuccess: (ctx) => { stored = ctx.response.headers.get("set-auth-token"); } },
    );
    const raw = (await signer.signIn.email({ email, password: PASSWORD })).data.token;
    assert.ok(stored, "set-auth-token is readable");
    // No cookie jar and no Origin: a mobile app or another server.
    const viaAuth = createAuthClient({ baseURL: url, fetchOptions: { auth: { type: "Bearer", token: () => stored } } });
    const viaHeader = createAuthClient({ baseURL: url, fetchOptions: { headers: { authorization: `Bearer ${raw}` } } });

    const first = await viaAuth.getSession();
    const second = await viaHeader.getSession();
    const signedOut = await viaAuth.signOut();
    const afterFirst = await settled(() => viaAuth.getSession(), (r) => r.data === null);
    const afterSecond = await viaHeader.getSession();

    assert.equal(first.error, null, JSON.stringify(first.error));
    assert.equal(first.data.user.email, email);
    assert.equal(first.data.session.token, stored.split(".").slice(0, -1).join("."));
    assert.equal(second.data.user.email, email);
    assert.equal(second.data.session.token, raw);
    assert.notEqual(first.data.session.id, second.data.session.id);
    assert.deepEqual(signedOut.data, { success: true }, "a bearer sign-out needs no Origin");
    assert.equal(afterFirst.data, null, "the bearer's session is over");
    assert.equal(afterSecond.data.user.email, email, "the other session is not");
  });

  test("errors carry Better Auth's status, statusText, code and message", async () => {
    const { client } = browserLikeClient();
    const email = `${unique("taken")}@example.com`;
    const username = unique("taken");
    assert.equal((await client.signUp.email({ name: "", email, password: PASSWORD, username })).error, null);
    const fresh = () => `${unique("fresh")}@example.com`;

    const cases = {
      existingEmail: [422, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", client.signUp.email({ name: "", email, password: PASSWORD })],
      wrongPassword: [401, "INVALID_EMAIL_OR_PASSWORD", client.signIn.email({ email, password: "wrong-password" })],
      unknownEmail: [401, "INVALID_EMAIL_OR_PASSWORD", client.signIn.email({ email: fresh(), password: PASSWORD })],
      wrongUsernamePassword: [401, "INVALID_USERNAME_OR_PASSWORD", client.signIn.username({ username, password: "wrong-password" })],
      shortPassword: [400, "PASSWORD_TOO_SHORT", client.signUp.email({ name: "", email: fresh(), password: "short" })],
      longPassword: [400, "PASSWORD_TOO_LONG", client.signUp.email({ name: "", email: fresh(), password: "x".repeat(129) })],
      invalidUsername: [400, "INVALID_USERNAME", client.signUp.email({ name: "", email: fresh(), password: PASSWORD, username: "no spaces" })],
      shortUsername: [400, "USERNAME_TOO_SHORT", client.signUp.email({ name: "", email: fresh(), password: PASSWORD, username: "ab" })],
      takenUsername: [400, "USERNAME_IS_ALREADY_TAKEN", client.signUp.email({ name: "", email: fresh(), password: PASSWORD, username: username.toUpperCase() })],
      malformedUsernameSignIn: [422, "INVALID_USERNAME", client.signIn.username({ username: "no spaces", password: PASSWORD })],
      malformedEmailSignIn: [400, "INVALID_EMAIL", client.signIn.email({ email: "not-an-email", password: PASSWORD })],
      malformedEmailSignUp: [400, "VALIDATION_ERROR", client.signUp.email({ name: "", email: "not-an-email", password: PASSWORD })],
    };
    const statusText = { 400: "Bad Request", 401: "Unauthorized", 422: "Unprocessable Entity" };

    const returned = new Set();
    for (const [name, [status, code, pending]] of Object.entries(cases)) {
      const { data, error } = await pending;
      assert.equal(data, null, name);
      assert.deepEqual([error.status, error.code], [status, code], name);
      // The standard HTTP/1.1 reason phrases, as Node's HTTP server sends them for Better Auth.
      assert.equal(error.statusText, statusText[status], name);
      returned.add(error.code);
      if (code === "VALIDATION_ERROR") assert.equal(error.message, "[body.email] Invalid email address", name);
      else assert.equal(error.message, ERROR_CODES[code].message, `${name}: the message is Better Auth's`);
    }
    const unknown = [...returned].filter((code) => !(code in ERROR_CODES));
    assert.deepEqual(unknown, [], "every code returned is a key of the client's $ERROR_CODES");
  });

  test("a cookie-carrying request needs a trusted Origin", async () => {
    const { client: victim, jar } = browserLikeClient();
    await victim.signUp.email({ name: "", email: `${unique("victim")}@example.com`, password: PASSWORD });
    const cookie = `${SESSION_COOKIE}=${jar.get(SESSION_COOKIE).value}`;
    const signOut = (origin) => {
      const { client } = browserLikeClient({ origin });
      return client.signOut({ fetchOptions: { headers: { cookie } } });
    };

    const untrusted = await signOut("http://evil.example.net");
    const missing = await signOut(null);

    assert.deepEqual([untrusted.error.status, untrusted.error.code], [403, "INVALID_ORIGIN"]);
    assert.equal(untrusted.error.message, ERROR_CODES.INVALID_ORIGIN.message);
    assert.deepEqual([missing.error.status, missing.error.code], [403, "MISSING_OR_NULL_ORIGIN"]);
    assert.ok((await victim.getSession()).data, "the session survives");
  });
});
