// The full flow through the generated types and openapi-fetch, against a live gatehouse at
// GATEHOUSE_URL: sign up, sign in, read the session with the bearer token, list the sessions and
// revoke one, change the password, sign out, see no session, and errors read through their typed
// bodies.
import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type User = components["schemas"]["User"];

const baseUrl = process.env.GATEHOUSE_URL ?? "http://127.0.0.1:8080";
// Node's fetch sends `Sec-Fetch-Mode: cors`, which makes gatehouse (like Better Auth) check the
// origin of sign-up and sign-in: a server-side caller names one gatehouse trusts.
const client = createClient<paths>({ baseUrl, headers: { Origin: baseUrl } });
const email = `ts-${Date.now()}-${Math.floor(Math.random() * 1e6)}@example.com`;
const password = "correct-horse-battery";

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`flow failed: ${message}`);
}

const signedUp = await client.POST("/api/auth/sign-up", { body: { name: "TypeScript", email, password } });
check(signedUp.data, `sign-up: ${JSON.stringify(signedUp.error)}`);
const user: User = signedUp.data.user;
check(user.email === email, "sign-up returns the user");

const signedIn = await client.POST("/api/auth/sign-in/email", { body: { email, password } });
check(signedIn.data, `sign-in: ${JSON.stringify(signedIn.error)}`);
check(signedIn.data.redirect === false, "no callbackURL, no redirect");
const bearer = { Authorization: `Bearer ${signedIn.data.token}` };

const session = await client.GET("/api/auth/get-session", { headers: bearer });
check(session.data, "get-session with the bearer token returns a session");
check(session.data.user.id === user.id, "the session is the user's");
check(session.data.session.token === signedIn.data.token, "session.token is the sign-in token");

// A second device signs in; the first lists both devices and signs the second out by its handle.
const laptop = await client.POST("/api/auth/sign-in/email", { body: { email, password } });
check(laptop.data, `second sign-in: ${JSON.stringify(laptop.error)}`);
const laptopBearer = { Authorization: `Bearer ${laptop.data.token}` };
const laptopSession = await client.GET("/api/auth/get-session", { headers: laptopBearer });
check(laptopSession.data, "the second device has a session");
const listed = await client.GET("/api/auth/list-sessions", { headers: bearer });
check(listed.data, `list-sessions: ${JSON.stringify(listed.error)}`);
const handles = listed.data.map((item) => item.token);
check(handles.length === 3 && handles.includes(laptopSession.data.session.id), `three sessions: ${handles}`);
const revoked = await client.POST("/api/auth/revoke-session", {
  headers: bearer,
  body: { token: laptopSession.data.session.id },
});
check(revoked.data?.status === true, `revoke-session: ${JSON.stringify(revoked.error)}`);
const laptopAfter = await client.GET("/api/auth/get-session", { headers: laptopBearer });
check(laptopAfter.data === null, "the revoked device has no session");
const others = await client.POST("/api/auth/revoke-other-sessions", { headers: bearer, body: {} });
check(others.data?.status === true, "revoke-other-sessions succeeds");
const left = await client.GET("/api/auth/list-sessions", { headers: bearer });
check(left.data?.length === 1, `only this session is left: ${JSON.stringify(left.data)}`);

// A new password: the old one stops working, the session stays.
const newPassword = "a-new-passphrase-1";
const changed = await client.POST("/api/auth/change-password", {
  headers: bearer,
  body: { currentPassword: password, newPassword },
});
check(changed.data?.token === null && changed.data.user.id === user.id, `change-password: ${JSON.stringify(changed.error)}`);
const oldPassword = await client.POST("/api/auth/sign-in/email", { body: { email, password } });
check(oldPassword.response.status === 401, "the old password no longer signs in");
const wrongCurrent = await client.POST("/api/auth/change-password", {
  headers: bearer,
  body: { currentPassword: password, newPassword: "yet-another-one-3" },
});
check(wrongCurrent.error?.code === "INVALID_PASSWORD", `typed error code: ${JSON.stringify(wrongCurrent.error)}`);

const signedOut = await client.POST("/api/auth/sign-out", { headers: bearer, body: {} });
check(signedOut.data?.success === true, "sign-out succeeds");

const after = await client.GET("/api/auth/get-session", { headers: bearer });
check(after.response.status === 200 && after.data === null, "no session after sign-out");

const wrong = await client.POST("/api/auth/sign-in/email", { body: { email, password: "wrong-password" } });
check(wrong.response.status === 401, "a wrong password is 401");
check(wrong.error?.code === "INVALID_EMAIL_OR_PASSWORD", `typed error code: ${JSON.stringify(wrong.error)}`);

console.log("typescript flow: ok");
