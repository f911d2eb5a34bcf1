// The full flow through the generated types and openapi-fetch, against a live gatehouse at
// GATEHOUSE_URL: sign up, sign in, read the session with the bearer token, sign out, see no
// session, and one error read through its typed body.
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

const signedOut = await client.POST("/api/auth/sign-out", { headers: bearer, body: {} });
check(signedOut.data?.success === true, "sign-out succeeds");

const after = await client.GET("/api/auth/get-session", { headers: bearer });
check(after.response.status === 200 && after.data === null, "no session after sign-out");

const wrong = await client.POST("/api/auth/sign-in/email", { body: { email, password: "wrong-password" } });
check(wrong.response.status === 401, "a wrong password is 401");
check(wrong.error?.code === "INVALID_EMAIL_OR_PASSWORD", `typed error code: ${JSON.stringify(wrong.error)}`);

console.log("typescript flow: ok");
