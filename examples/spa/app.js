// The whole client: better-auth's own client pointed at gatehouse on another origin. The browser
// keeps gatehouse's session cookie (HttpOnly, so this script never sees it) and sends it because
// the client fetches with `credentials: "include"`. gatehouse's URL comes from `?gatehouse=`, the
// social provider's id from `?provider=` (default corp).
import { createAuthClient, usernameClient } from "./vendor/better-auth-client.js";

const query = new URLSearchParams(location.search);
const baseURL = query.get("gatehouse") ?? "http://127.0.0.1:8080";
const provider = query.get("provider") ?? "corp";
const auth = createAuthClient({ baseURL, plugins: [usernameClient()] });

const $ = (id) => document.getElementById(id);
$("page").textContent = location.origin;
$("server").textContent = baseURL;
$("provider-id").textContent = provider;
$("provider-name").textContent = provider.charAt(0).toUpperCase() + provider.slice(1);

function showError(error) {
  $("error").textContent = error ? `${error.code ?? error.status ?? "Error"}: ${error.message}` : "";
}

/** Renders the status box: `rows` become a definition list under `title`. */
function showStatus(state, title, rows = []) {
  const status = $("status");
  status.dataset.state = state;
  status.replaceChildren(title);
  if (!rows.length) return;
  const list = document.createElement("dl");
  for (const [term, value] of rows) {
    const dt = document.createElement("dt");
    const dd = document.createElement("dd");
    dt.textContent = term;
    dd.textContent = value;
    dd.dataset.field = term.toLowerCase().replace(/\W+/g, "-");
    list.append(dt, dd);
  }
  status.append(list);
}

async function refresh() {
  let result;
  try {
    result = await auth.getSession();
  } catch (error) {
    // A network or CORS failure: the browser does not let this page read the answer.
    result = { data: null, error: { message: `${error.name}: ${error.message}` } };
  }
  const { data, error } = result;
  if (error) {
    showStatus("error", `Cannot read the session (${error.message ?? error.status})`);
  } else if (data) {
    const { user, session } = data;
    showStatus("signed-in", "Signed in", [
      ["Email", user.email],
      ["Username", user.username ?? "—"],
      ["Name", user.name || "—"],
      ["Session expires", `${session.expiresAt.toLocaleString()} (${session.expiresAt.toISOString()})`],
    ]);
  } else {
    showStatus("signed-out", "Signed out");
  }
}

async function run(action) {
  showError(null);
  try {
    const { error } = await action();
    showError(error);
  } catch (error) {
    showError({ code: error.name, message: error.message });
  }
  await refresh();
}

const fields = () => ({
  name: $("name").value,
  email: $("email").value,
  password: $("password").value,
  username: $("username").value,
  rememberMe: $("remember").checked,
});

$("sign-up").addEventListener("click", () => run(() => {
  const { username, ...rest } = fields();
  return auth.signUp.email(username ? { ...rest, username } : rest);
}));
$("sign-in").addEventListener("click", () => run(() => {
  const { email, password, rememberMe } = fields();
  return auth.signIn.email({ email, password, rememberMe });
}));
$("sign-in-username").addEventListener("click", () => run(() => {
  const { username, password, rememberMe } = fields();
  return auth.signIn.username({ username, password, rememberMe });
}));
$("sign-out").addEventListener("click", () => run(() => auth.signOut()));

// Social sign-in leaves the page: the client sends the browser to the provider, and gatehouse's
// callback sends it back here, signed in, or with `?error=<code>` (its errorCallbackURL).
const back = new URL(location.href);
back.searchParams.delete("error");
$("sign-in-social").addEventListener("click", () => run(() => auth.signIn.social({
  provider,
  callbackURL: back.href,
  errorCallbackURL: back.href,
})));
if (query.get("error")) showError({ code: query.get("error"), message: "social sign-in did not complete" });

refresh();
