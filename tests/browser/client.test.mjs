// gatehouse driven by the real better-auth client, as an app using `better-auth/client` would:
// a cookie jar stands in for the browser, and every request carries the app's Origin.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { BASE_ERROR_CODES } from "better-auth";
import { createAuthClient } from "better-auth/client";
import { USERNAME_ERROR_CODES, usernameClient } from "better-auth/client/plugins";
import { database, startGatehouse, strategy } from "./gatehouse.mjs";

const APP_ORIGIN = "http://app.example.test";
// What `auth.$ERROR_CODES` is on a Better Auth server with the username plugin: the codes an app
// matches `error.code` against.
const $ERROR_CODES = { ...BASE_ERROR_CODES, ...USERNAME_ERROR_CODES };
const PASSWORD = "correct-horse-battery";
let server;
let counter = 0;
const uniqueEmail = () => `client-${process.pid}-${Date.now()}-${counter++}@example.com`;

before(async () => {
  server = await startGatehouse({ GATEHOUSE_TRUSTED_ORIGINS: APP_ORIGIN });
});
after(() => server.stop());

/** A client whose fetch keeps cookies like a browser and sends the app's Origin. */
function browserLikeClient() {
  const jar = new Map();
  const customFetchImpl = async (input, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set("origin", APP_ORIGIN);
    if (jar.size) headers.set("cookie", [...jar].map(([name, value]) => `${name}=${value}`).join("; "));
    const response = await fetch(input, { ...init, headers });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(";").map((part) => part.trim());
      const at = pair.indexOf("=");
      const [name, value] = [pair.slice(0, at), pair.slice(at + 1)];
      const expired = value === "" || attributes.some((a) => a.toLowerCase() === "max-age=0");
      if (expired) jar.delete(name);
      else jar.set(name, value);
    }
    return response;
  };
  const client = createAuthClient({
    baseURL: server.url,
    plugins: [usernameClient()],
    fetchOptions: { customFetchImpl },
  });
  return { client, jar };
}

describe(`better-auth client against gatehouse (${strategy} sessions, ${database})`, () => {
  test("sign up, read the session, sign out", async () => {
    const { client, jar } = browserLikeClient();
    const email = uniqueEmail();

    const signedUp = await client.signUp.email({ name: "Client", email, password: PASSWORD });
    const session = await client.getSession();
    const signedOut = await client.signOut();
    const after = await client.getSession();

    assert.equal(signedUp.error, null);
    assert.equal(signedUp.data.user.email, email);
    assert.equal(typeof signedUp.data.token, "string");
    assert.equal(session.error, null);
    assert.equal(session.data.user.email, email);
    assert.ok(session.data.session.expiresAt instanceof Date, "dates are revived");
    assert.ok(session.data.user.createdAt instanceof Date);
    assert.equal(session.data.session.userId, session.data.user.id);
    assert.deepEqual(signedOut.data, { success: true });
    assert.equal(after.data, null);
    assert.equal(jar.has("gatehouse.session_token"), false);
  });

  test("sign in by email and by username", async () => {
    const { client: signer } = browserLikeClient();
    const email = uniqueEmail();
    const username = `user_${process.pid}_${counter++}`;
    const signedUp = await signer.signUp.email({ name: "U", email, password: PASSWORD, username, displayUsername: username.toUpperCase() });
    assert.equal(signedUp.error, null, JSON.stringify(signedUp.error));
    assert.equal(signedUp.data.user.username, username);
    assert.equal(signedUp.data.user.displayUsername, username.toUpperCase());

    const { client: byEmail } = browserLikeClient();
    const { client: byUsername } = browserLikeClient();
    const viaEmail = await byEmail.signIn.email({ email: email.toUpperCase(), password: PASSWORD });
    const viaUsername = await byUsername.signIn.username({ username: username.toUpperCase(), password: PASSWORD });

    assert.equal(viaEmail.error, null);
    assert.equal(viaEmail.data.user.email, email);
    assert.equal(viaUsername.error, null);
    assert.equal(viaUsername.data.user.username, username);
    assert.equal((await byEmail.getSession()).data.user.id, signedUp.data.user.id);
    assert.equal((await byUsername.getSession()).data.user.id, signedUp.data.user.id);
  });

  test("a bearer token from set-auth-token works without cookies", async () => {
    const { client: signer } = browserLikeClient();
    let token = null;
    await signer.signUp.email(
      { name: "Bearer", email: uniqueEmail(), password: PASSWORD },
      { onSuccess: (ctx) => { token = ctx.response.headers.get("set-auth-token"); } },
    );
    assert.ok(token, "set-auth-token is readable");
    const bearerClient = createAuthClient({
      baseURL: server.url,
      fetchOptions: { auth: { type: "Bearer", token: () => token } },
    });

    const session = await bearerClient.getSession();
    await bearerClient.signOut();
    const after = await bearerClient.getSession();

    assert.equal(session.error, null);
    assert.ok(session.data.user.id);
    assert.equal(after.data, null);
  });

  test("errors carry Better Auth's codes, statuses and messages", async () => {
    const { client } = browserLikeClient();
    const email = uniqueEmail();
    const username = `taken_${process.pid}_${counter++}`;
    await client.signUp.email({ name: "", email, password: PASSWORD, username });

    const cases = {
      existingEmail: await client.signUp.email({ name: "", email, password: PASSWORD }),
      wrongPassword: await client.signIn.email({ email, password: "wrong-password" }),
      unknownUser: await client.signIn.email({ email: uniqueEmail(), password: PASSWORD }),
      shortPassword: await client.signUp.email({ name: "", email: uniqueEmail(), password: "short" }),
      invalidUsername: await client.signUp.email({ name: "", email: uniqueEmail(), password: PASSWORD, username: "no spaces" }),
      takenUsername: await client.signUp.email({ name: "", email: uniqueEmail(), password: PASSWORD, username: username.toUpperCase() }),
      badUsernameSignIn: await client.signIn.username({ username: "x", password: PASSWORD }),
    };
    const expected = {
      existingEmail: [422, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", "UNPROCESSABLE_ENTITY"],
      wrongPassword: [401, "INVALID_EMAIL_OR_PASSWORD", "UNAUTHORIZED"],
      unknownUser: [401, "INVALID_EMAIL_OR_PASSWORD", "UNAUTHORIZED"],
      shortPassword: [400, "PASSWORD_TOO_SHORT", "BAD_REQUEST"],
      invalidUsername: [400, "INVALID_USERNAME", "BAD_REQUEST"],
      takenUsername: [400, "USERNAME_IS_ALREADY_TAKEN", "BAD_REQUEST"],
      badUsernameSignIn: [422, "USERNAME_TOO_SHORT", "UNPROCESSABLE_ENTITY"],
    };

    for (const [name, [status, code, statusText]] of Object.entries(expected)) {
      const { data, error } = cases[name];
      assert.equal(data, null, name);
      assert.equal(error.status, status, name);
      assert.equal(error.code, code, name);
      assert.equal(error.statusText, statusText, name);
      const known = $ERROR_CODES[code];
      assert.ok(known, `${code} is one of Better Auth's $ERROR_CODES`);
      assert.equal(error.message, known.message, `${name}: the message is Better Auth's`);
    }
  });

  test("a request from an untrusted origin with the cookie is refused", async () => {
    const { client, jar } = browserLikeClient();
    await client.signUp.email({ name: "", email: uniqueEmail(), password: PASSWORD });
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join("; ");

    const response = await fetch(`${server.url}/api/auth/sign-out`, {
      method: "POST",
      headers: { cookie, origin: "https://evil.example.net", "content-type": "application/json" },
      body: "{}",
    });

    assert.equal(response.status, 403);
    assert.equal((await response.json()).code, "INVALID_ORIGIN");
    assert.ok((await client.getSession()).data, "the session survives");
  });
});
