// The real OpenID provider of the social sign-in suites (tests/oidc/provider.mjs, started by
// scripts/browser-test.sh with a client for this gatehouse), and a small HTTP driver that plays
// the browser on its login and consent pages (the dev interactions take any password).
//   OIDC_ISSUER         the provider, e.g. http://127.0.0.1:41235; unset: the social tests are skipped
//   OIDC_PROVIDER_ID    gatehouse's id for it (corp)
//   OIDC_CLIENT_ID, OIDC_CLIENT_SECRET  gatehouse's client at the provider
import { createHash, randomBytes } from "node:crypto";
import { url } from "./target.mjs";

export const issuer = process.env.OIDC_ISSUER;
export const providerId = process.env.OIDC_PROVIDER_ID ?? "corp";
const clientId = process.env.OIDC_CLIENT_ID;
const clientSecret = process.env.OIDC_CLIENT_SECRET;
export const redirectUri = `${url}/api/auth/callback/${providerId}`;

const between = (text, start, end) => {
  const from = text.indexOf(start);
  if (from < 0) return null;
  const to = text.indexOf(end, from + start.length);
  return text.slice(from + start.length, to).replaceAll("&amp;", "&");
};

/**
 * Follows the provider from `authorizeUrl` as a browser would (its own cookies), signs in as
 * `login` and consents, until the provider sends the browser back to gatehouse: returns that URL
 * (the callback with `code` and `state`, or an `error`).
 */
export async function providerStep(authorizeUrl, login) {
  const cookies = new Map();
  let target = authorizeUrl;
  let form = null;
  for (let hop = 0; hop < 20; hop++) {
    const headers = { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join("; ") };
    const response = form
      ? await fetch(target, { method: "POST", redirect: "manual", headers, body: new URLSearchParams(form) })
      : await fetch(target, { redirect: "manual", headers });
    form = null;
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const at = pair.indexOf("=");
      const [name, value] = [pair.slice(0, at), pair.slice(at + 1)];
      if (value === "" || /expires=thu, 01 jan 1970/i.test(line)) cookies.delete(name);
      else cookies.set(name, value);
    }
    if (response.status >= 300 && response.status < 400) {
      const next = new URL(response.headers.get("location"), target).href;
      if (next.startsWith(url)) return next;
      target = next;
      continue;
    }
    const page = await response.text();
    if (response.status !== 200) throw new Error(`${target} answered ${response.status}: ${page}`);
    const action = between(page, 'action="', '"');
    const prompt = between(page, 'name="prompt" value="', '"');
    if (!action || !prompt) throw new Error(`no form at ${target}: ${page}`);
    target = new URL(action, target).href;
    form = prompt === "login" ? { prompt, login, password: "any password" } : { prompt };
  }
  throw new Error("the provider never sent the browser back to gatehouse");
}

/**
 * A real ID token and access token for `login`, as a native app holds them: the provider's own
 * authorization code flow with PKCE and `nonce`, the code taken before it reaches gatehouse.
 */
export async function idTokenFor(login, nonce) {
  const metadata = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
  const verifier = randomBytes(32).toString("base64url");
  const authorize = new URL(metadata.authorization_endpoint);
  for (const [name, value] of Object.entries({
    client_id: clientId, response_type: "code", scope: "openid email profile", redirect_uri: redirectUri,
    state: "app-state", nonce, code_challenge_method: "S256",
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
  })) authorize.searchParams.set(name, value);
  const back = new URL(await providerStep(authorize.href, login));
  const code = back.searchParams.get("code");
  if (!code) throw new Error(`no code in ${back}`);
  const answer = await fetch(metadata.token_endpoint, {
    method: "POST",
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}` },
    body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: redirectUri, code_verifier: verifier }),
  });
  const tokens = await answer.json();
  if (!tokens.id_token) throw new Error(`no ID token: ${JSON.stringify(tokens)}`);
  return { idToken: tokens.id_token, accessToken: tokens.access_token };
}
