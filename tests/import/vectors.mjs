// Writes the password-hash vectors that src/auth/foreign_hash.rs checks, each made by the library
// itself: Better Auth's own hashPassword (scrypt), crypto.pbkdf2 exactly as the Lucia tutorial
// calls it, and @node-rs/argon2 with the parameters Lucia's docs recommend. Run it again after
// changing a library version: `cd tests/import && npm ci && node vectors.mjs`.
import { writeFileSync, mkdirSync } from "node:fs";
import { pbkdf2Sync, randomBytes } from "node:crypto";
import { hash as argon2 } from "@node-rs/argon2";
import { hashPassword } from "better-auth/crypto";

const PASSWORD = "correct-horse-battery";
const dir = new URL("./vectors/", import.meta.url);
mkdirSync(dir, { recursive: true });
const write = (name, text) => writeFileSync(new URL(name, dir), `${text}\n`);

write("scrypt.txt", await hashPassword(PASSWORD));
write("scrypt-full-width.txt", await hashPassword("Ｐａｓｓｗｏｒｄ１２３"));
// Longer than the 72 bytes bcrypt reads (Better Auth allows 128 characters).
write("scrypt-long.txt", await hashPassword("long-".repeat(20)));
// The Lucia tutorial: const salt = encodeHex(crypto.getRandomValues(new Uint8Array(16)));
// const hash = await pbkdf2(password, salt, 10000, 64, "sha512") — hex of the key, salt as text.
const salt = randomBytes(16).toString("hex");
write("pbkdf2.txt", `${pbkdf2Sync(PASSWORD, salt, 10000, 64, "sha512").toString("hex")}\n${salt}`);
write("argon2id.txt", await argon2(PASSWORD, { memoryCost: 19456, timeCost: 2, outputLen: 32, parallelism: 1 }));
