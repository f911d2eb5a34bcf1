// What the page needs from better-auth, bundled for the browser by esbuild
// (`npm run bundle`) into examples/spa/vendor/better-auth-client.js.
export { createAuthClient } from "better-auth/client";
export { usernameClient } from "better-auth/client/plugins";
