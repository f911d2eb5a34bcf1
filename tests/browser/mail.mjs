// Reads what the real SMTP server (tests/smtp/server.py) received: one JSON file per message in
// MAIL_DIR, written whole (a temporary name, then a rename).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { mailDir } from "./target.mjs";

const messagesTo = (email) =>
  readdirSync(mailDir)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(mailDir, name), "utf8")))
    .filter((message) => message.rcpt_tos.includes(email));

/**
 * Waits (up to 10 s) for message number `count` to `email` whose subject starts with `subject`
 * ("Reset", "Verify") and returns it.
 */
export async function mailTo(email, subject, count = 1) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const messages = messagesTo(email).filter((message) => message.subject.startsWith(subject));
    if (messages.length >= count) return messages[count - 1];
    if (Date.now() > deadline) throw new Error(`${messages.length} of ${count} messages to ${email} arrived within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The first link into gatehouse in a message's plain-text part. */
export const linkIn = (message) => message.text.split(/\s+/).find((word) => word.startsWith("http") && word.includes("/api/auth/"));
