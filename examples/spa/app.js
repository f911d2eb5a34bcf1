// The whole client: better-auth's own client pointed at gatehouse on another origin. The browser
// keeps gatehouse's session cookie (HttpOnly, so this script never sees it) and sends it because
// the client uses `credentials: "include"`.
import { createAuthClient, usernameClient } from "./vendor/better-auth-client.js";

const params = new URLSearchParams(location.search);
const baseURL = params.get("gatehouse") ?? "http://127.0.0.1:8080";
const auth = createAuthClient({ baseURL, plugins: [usernameClient()] });

const $ = (id) => document.getElementById(id);
$("server").textContent = baseURL;

function showError(error) {
  $("error").textContent = error ? `${error.code ?? error.status}: ${error.message}` : "";
}

async function readSession() {
  try {
    return await auth.getSession();
  } catch (error) {
    // A network or CORS failure: the browser would not let this page read the answer.
    return { data: null, error: { message: error.message } };
  }
}

async function refresh() {
  const { data, error } = await readSession();
  const status = $("status");
  if (error) {
    status.dataset.state = "error";
    status.className = "";
    status.textContent = `Cannot read the session: ${error.message ?? error.status}`;
  } else if (data) {
    status.dataset.state = "signed-in";
    status.className = "signed-in";
    status.textContent = `Signed in as ${data.user.email}` +
      (data.user.username ? ` (@${data.user.username})` : "") +
      `, until ${data.session.expiresAt.toISOString()}`;
  } else {
    status.dataset.state = "signed-out";
    status.className = "";
    status.textContent = "Signed out";
  }
}

async function run(action) {
  showError(null);
  const { error } = await action();
  showError(error);
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

refresh();
