// Social sign-in through the real better-auth client: signIn.social (redirect and ID token),
// linkSocial, listAccounts and unlinkAccount against a real OpenID provider (oidc-provider, see
// oidc.mjs). The client runs in Node, so the browser's part is played by hand: the provider's
// login and consent pages over HTTP (oidc.mjs), then the provider's redirect followed into
// gatehouse's callback with the client's cookie jar. Better Auth 1.7.25 has no `signIn.oauth2`:
// its generic OAuth plugin registers providers for `signIn.social` and `/callback/:id`, which is
// what this drives.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { browserLikeClient } from "./browser-like.mjs";
import { idTokenFor, issuer, providerId, providerStep, redirectUri } from "./oidc.mjs";
import { PASSWORD, database, spaOrigin, strategy, unique, url } from "./target.mjs";

const pages = {
  callbackURL: `${spaOrigin}/home`,
  newUserCallbackURL: `${spaOrigin}/welcome`,
  errorCallbackURL: `${spaOrigin}/oops`,
};

/** Runs one redirect sign-in or link to its end: the answer gatehouse's callback gives. */
async function throughProvider(browser, started, login) {
  assert.equal(started.error, null, JSON.stringify(started.error));
  assert.equal(started.data.redirect, true);
  const back = await providerStep(started.data.url, login);
  assert.ok(back.startsWith(`${redirectUri}?`), `the provider sends the browser to the callback: ${back}`);
  const landed = await browser.navigate(back);
  assert.equal(landed.status, 302, await landed.clone().text());
  return landed.headers.get("location");
}

describe(`social sign-in with the better-auth client against ${url} (${strategy} sessions, ${database})`, { skip: !issuer && "OIDC_ISSUER is not set" }, () => {
  test("signIn.social: a first sign-in creates the user and lands on newUserCallbackURL, the next finds it", async () => {
    const login = unique("corp");
    const first = browserLikeClient();

    const started = await first.client.signIn.social({ provider: providerId, ...pages });
    const authorize = new URL(started.data.url);
    const landed = await throughProvider(first, started, login);
    const session = await first.client.getSession();
    const accounts = await first.client.listAccounts();

    assert.equal(authorize.origin, issuer);
    assert.equal(authorize.searchParams.get("redirect_uri"), redirectUri);
    assert.equal(authorize.searchParams.get("code_challenge_method"), "S256");
    for (const parameter of ["state", "nonce", "code_challenge"]) assert.ok(authorize.searchParams.get(parameter), parameter);
    assert.equal(landed, pages.newUserCallbackURL);
    assert.equal(session.error, null, JSON.stringify(session.error));
    const { user } = session.data;
    assert.equal(user.email, `${login}@example.com`);
    assert.equal(user.emailVerified, true, "the provider asserted the address");
    assert.equal(user.name, `Name of ${login}`);
    assert.equal(user.image, `https://images.example.com/${login}.png`);
    assert.equal(accounts.error, null, JSON.stringify(accounts.error));
    assert.deepEqual(accounts.data.map((a) => [a.providerId, a.accountId, a.userId]), [[providerId, login, user.id]]);
    for (const field of ["accessToken", "refreshToken", "idToken", "password"]) {
      assert.equal(field in accounts.data[0], false, `list-accounts never shows ${field}`);
    }

    assert.deepEqual((await first.client.signOut()).data, { success: true });
    assert.equal((await first.client.getSession()).data, null);
    const again = browserLikeClient();
    const second = await throughProvider(again, await again.client.signIn.social({ provider: providerId, ...pages }), login);
    assert.equal(second, pages.callbackURL, "a returning user lands on callbackURL");
    assert.equal((await again.client.getSession()).data.user.id, user.id);
  });

  test("signIn.social does not link an address the local account has not verified: errorCallbackURL", async () => {
    const email = `${unique("taken")}@example.com`;
    const owner = browserLikeClient();
    const signedUp = await owner.client.signUp.email({ name: "Owner", email, password: PASSWORD });
    const stranger = browserLikeClient();

    const landed = await throughProvider(stranger, await stranger.client.signIn.social({ provider: providerId, ...pages }), email);

    assert.equal(landed, `${pages.errorCallbackURL}?error=account_not_linked`);
    assert.equal((await stranger.client.getSession()).data, null, "no session");
    const accounts = await owner.client.listAccounts();
    assert.deepEqual(accounts.data.map((a) => a.providerId), ["credential"], "nothing linked to the owner");
    assert.equal(signedUp.data.user.emailVerified, false);
  });

  test("linkSocial by redirect, listAccounts, unlinkAccount; the last way to sign in stays", async () => {
    const email = `${unique("linker")}@example.com`;
    const browser = browserLikeClient();
    const signedUp = await browser.client.signUp.email({ name: "Linker", email, password: PASSWORD });

    const started = await browser.client.linkSocial({ provider: providerId, callbackURL: `${spaOrigin}/linked` });
    const landed = await throughProvider(browser, started, email);
    const session = await browser.client.getSession();
    const accounts = await browser.client.listAccounts();

    assert.equal(landed, `${spaOrigin}/linked`);
    assert.equal(session.data.session.token, signedUp.data.token, "a link starts no new session");
    const byProvider = Object.fromEntries(accounts.data.map((a) => [a.providerId, a]));
    assert.deepEqual(Object.keys(byProvider).sort(), [providerId, "credential"].sort());
    assert.equal(byProvider[providerId].accountId, email, "the provider's subject");

    const unlinked = await browser.client.unlinkAccount({ accountId: byProvider[providerId].id });
    const last = await browser.client.unlinkAccount({ accountId: byProvider.credential.id });
    assert.deepEqual(unlinked.data, { status: true });
    assert.equal(last.error.status, 400);
    assert.equal(last.error.code, "FAILED_TO_UNLINK_LAST_ACCOUNT");
    assert.deepEqual((await browser.client.listAccounts()).data.map((a) => a.providerId), ["credential"]);
  });

  test("signIn.social with an idToken (a native app's): signs in; a wrong nonce is INVALID_TOKEN", async () => {
    const login = unique("native");
    const nonce = randomBytes(16).toString("hex");
    const { idToken, accessToken } = await idTokenFor(login, nonce);
    const app = browserLikeClient();

    const wrongNonce = await app.client.signIn.social({ provider: providerId, idToken: { token: idToken, nonce: "another", accessToken } });
    const signedIn = await app.client.signIn.social({ provider: providerId, idToken: { token: idToken, nonce, accessToken } });
    const session = await app.client.getSession();

    assert.equal(wrongNonce.error.status, 401);
    assert.equal(wrongNonce.error.code, "INVALID_TOKEN");
    assert.equal(signedIn.error, null, JSON.stringify(signedIn.error));
    assert.deepEqual(Object.keys(signedIn.data).sort(), ["redirect", "token", "user"]);
    assert.equal(signedIn.data.redirect, false);
    assert.equal(signedIn.data.user.email, `${login}@example.com`, "read from user-info with the access token");
    assert.equal(session.data.user.id, signedIn.data.user.id);
    assert.equal(session.data.session.token, signedIn.data.token);
  });

  test("linkSocial with an idToken links the same address and refuses another", async () => {
    const email = `${unique("idlink")}@example.com`;
    const browser = browserLikeClient();
    await browser.client.signUp.email({ name: "Id Linker", email, password: PASSWORD });
    const nonce = randomBytes(16).toString("hex");
    const own = await idTokenFor(email, nonce);
    const other = await idTokenFor(`${unique("other")}@example.com`, nonce);

    const refused = await browser.client.linkSocial({ provider: providerId, idToken: { token: other.idToken, nonce, accessToken: other.accessToken } });
    const linked = await browser.client.linkSocial({ provider: providerId, idToken: { token: own.idToken, nonce, accessToken: own.accessToken } });

    assert.equal(refused.error.status, 401);
    assert.equal(refused.error.code, "LINKING_DIFFERENT_EMAILS_NOT_ALLOWED");
    assert.equal(linked.error, null, JSON.stringify(linked.error));
    assert.deepEqual(linked.data, { url: "", status: true, redirect: false });
    assert.deepEqual((await browser.client.listAccounts()).data.map((a) => a.providerId).sort(), [providerId, "credential"].sort());
  });
});
