// A real OpenID provider for gatehouse's OAuth tests: the certified `oidc-provider` package on
// 127.0.0.1, on a port the kernel picks.
//
//   node provider.mjs '{"clients":[{"client_id":"gatehouse","client_secret":"...","redirect_uris":["http://127.0.0.1:PORT/api/auth/callback/corp"]}]}'
//
// Prints the issuer (http://127.0.0.1:<port>) on the first line of stdout once it listens.
// Accounts: any login name signs in (the dev interactions' login page takes any password); its
// email is the login when it holds an "@" (else <login>@example.com), verified unless the login
// starts with "unverified". PKCE is required of every client.
//
// With "github": true in the settings it is shaped as GitHub (an OAuth 2.0 server without OpenID
// Connect, as gatehouse's github preset expects of github.com or a GitHub Enterprise Server):
// authorization at /login/oauth/authorize, the token endpoint at /login/oauth/access_token with
// the client's secret in the body, the scopes read:user and user:email, and GitHub's REST API
// under /api/v3: /user ({id, login, name, email, avatar_url}; email null for logins starting
// with "private", as for a private address) and /user/emails (the login's address, primary,
// verified unless the login starts with "unverified", and an old unverified one; 404 without the
// user:email scope), both answering only to an access token this provider issued (401 else).
//
// Test controls, beside the provider's own routes:
//   POST /__test/rotate   sign with a new key from now on (the old one stays in the JWKS)
//   POST /__test/down     answer 503 to everything but /__test/* until /__test/up
//   POST /__test/up
//   POST /__test/sign     body {"claims": {...}, "key": "current" | "foreign", "alg": "RS256" | "HS256" | "none",
//                         "hmacSecret": "..."}: answers a JWT over the claims, signed with the provider's
//                         current key (its kid), with a key of the same kid that is not published
//                         ("foreign"), with HMAC under hmacSecret, or unsigned; for the ID-token forgery tests

import http from 'node:http';
import { createHash, createHmac, createPrivateKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

import Provider from 'oidc-provider';

const settings = JSON.parse(process.argv[2] ?? '{}');
const github = settings.github === true;

function newKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };
}

function claimsOf(login) {
  const email = login.includes('@') ? login : `${login}@example.com`;
  return {
    sub: login,
    email,
    email_verified: !login.startsWith('unverified'),
    name: `Name of ${login}`,
    picture: `https://images.example.com/${encodeURIComponent(login)}.png`,
  };
}

function makeProvider(issuer, keys) {
  const provider = new Provider(issuer, {
    clients: (settings.clients ?? []).map((client) => ({
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: github ? 'client_secret_post' : 'client_secret_basic',
      ...client,
    })),
    ...(github && {
      routes: { authorization: '/login/oauth/authorize', token: '/login/oauth/access_token' },
      scopes: ['openid', 'offline_access', 'read:user', 'user:email'],
    }),
    pkce: { required: () => true },
    jwks: { keys },
    cookies: { keys: ['gatehouse-test-provider-cookie-key'] },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'picture'],
    },
    async findAccount(_ctx, id) {
      return { accountId: id, claims: async () => claimsOf(id) };
    },
    features: { devInteractions: { enabled: true } },
  });
  // The dev interactions warn on every start; tests need only the port line.
  provider.on('server_error', (_ctx, error) => console.error('provider error:', error));
  return provider;
}

// GitHub's REST API for the user an access token of this provider belongs to.
async function githubApi(req, res) {
  const json = (status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const bearer = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const token = bearer && (await provider.AccessToken.find(bearer));
  if (!token || token.isExpired) return json(401, { message: 'Bad credentials' });
  const login = token.accountId;
  const { email, email_verified: verified, picture } = claimsOf(login);
  const path = new URL(req.url, provider.issuer).pathname;
  if (path === '/api/v3/user') {
    return json(200, {
      id: parseInt(createHash('sha256').update(login).digest('hex').slice(0, 12), 16),
      login,
      name: login.startsWith('nameless') ? null : `Name of ${login}`,
      email: login.startsWith('private') ? null : email,
      avatar_url: picture,
    });
  }
  if (path === '/api/v3/user/emails') {
    if (!token.scope?.split(' ').includes('user:email')) return json(404, { message: 'Not Found' });
    return json(200, [
      { email: `old-${email}`, primary: false, verified: false, visibility: null },
      { email, primary: true, verified, visibility: 'private' },
    ]);
  }
  return json(404, { message: 'Not Found' });
}

function base64url(value) {
  return Buffer.from(value).toString('base64url');
}

// A JWT as the request asks: see the header comment.
function signed({ claims, key = 'current', alg = 'RS256', hmacSecret = '' }) {
  const kid = keys[0].kid;
  const header = alg === 'none' ? { alg, typ: 'JWT' } : { alg, typ: 'JWT', kid };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  if (alg === 'none') return `${input}.`;
  if (alg === 'HS256') {
    return `${input}.${createHmac('sha256', hmacSecret).update(input).digest('base64url')}`;
  }
  const jwk = key === 'foreign' ? newKey() : keys[0];
  const privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString()));
    req.on('error', reject);
  });
}

let keys = [newKey()];
let provider;
let down = false;

const server = http.createServer(async (req, res) => {
  if (req.url === '/__test/sign' && req.method === 'POST') {
    const token = signed(JSON.parse(await readBody(req)));
    res.writeHead(200, { 'content-type': 'text/plain' }).end(token);
    return;
  }
  if (req.url.startsWith('/__test/') && req.method === 'POST') {
    if (req.url === '/__test/rotate') {
      keys = [newKey(), ...keys];
      provider = makeProvider(provider.issuer, keys);
    } else if (req.url === '/__test/down') {
      down = true;
    } else if (req.url === '/__test/up') {
      down = false;
    } else {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(204).end();
    return;
  }
  if (down) {
    res.writeHead(503, { 'content-type': 'text/plain' }).end('down for the test');
    return;
  }
  if (github && req.url.startsWith('/api/v3/') && req.method === 'GET') {
    await githubApi(req, res);
    return;
  }
  provider.callback()(req, res);
});

// stdout carries the issuer line only: the test reads it and may close the pipe, so everything
// else (oidc-provider logs notices with console.log) goes to stderr.
const printIssuer = console.log.bind(console);
console.log = console.info = (...args) => console.error(...args);
process.stdout.on('error', () => {});

server.listen(0, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  provider = makeProvider(issuer, keys);
  printIssuer(issuer);
});
