// A better-auth client whose fetch behaves like a browser's on one origin, for the Node suites.
import { createAuthClient } from "better-auth/client";
import { adminClient, magicLinkClient, usernameClient } from "better-auth/client/plugins";
import { spaOrigin, url } from "./target.mjs";

/**
 * A client whose fetch behaves like a browser's on `origin`: it keeps cookies (with their
 * attributes) and sends them back, and sends `Origin`. `seen` records every exchange. `navigate`
 * is the same browser following a link or redirect to `target` at the top level: cookies, no
 * `Origin`, and the redirect it answers is returned, not followed.
 */
export function browserLikeClient({ origin = spaOrigin } = {}) {
  const jar = new Map();
  const seen = [];
  const send = async (input, init, sendOrigin) => {
    const headers = new Headers(init.headers);
    if (sendOrigin) headers.set("origin", sendOrigin);
    if (jar.size) headers.set("cookie", [...jar].map(([name, c]) => `${name}=${c.value}`).join("; "));
    const response = await fetch(input, { ...init, headers });
    seen.push({ url: String(input), request: headers, response });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...rest] = line.split(";").map((part) => part.trim());
      const at = pair.indexOf("=");
      const [name, value] = [pair.slice(0, at), pair.slice(at + 1)];
      const attributes = Object.fromEntries(rest.map((a) => [a.split("=")[0].toLowerCase(), a.split("=")[1] ?? true]));
      if (value === "" || attributes["max-age"] === "0") jar.delete(name);
      else jar.set(name, { value, attributes });
    }
    return response;
  };
  const customFetchImpl = (input, init = {}) => send(input, init, origin);
  const navigate = (target) => send(target, { redirect: "manual" }, null);
  const client = createAuthClient({ baseURL: url, plugins: [usernameClient(), magicLinkClient(), adminClient()], fetchOptions: { customFetchImpl } });
  return { client, jar, seen, navigate };
}
