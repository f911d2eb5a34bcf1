"""A real SMTP server for the tests: aiosmtpd on 127.0.0.1, on a port the kernel picks.

    python server.py DIR            accept mail; write each message to DIR as NNNNN.json
    python server.py DIR --stall    accept connections and never answer (a hung mail server)
    python server.py DIR --starttls CERT KEY
                                    offer STARTTLS with this certificate and refuse mail before it
    python server.py DIR --implicit-tls CERT KEY
                                    TLS from the first byte (smtps://) with this certificate

Prints the port on the first line of stdout once it listens. Each message file holds the
envelope, the subject, every header, the decoded text and HTML parts and the raw message; it
is written to a temporary name and renamed, so a reader never sees half a file.
"""

import asyncio
import email
import email.policy
import itertools
import json
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP


class Recorder:
    def __init__(self, directory):
        self.directory = directory
        self.numbers = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = message.get_body(("plain",))
        html = message.get_body(("html",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "subject": str(message["subject"]),
            "headers": [[name, str(value)] for name, value in message.items()],
            "text": text.get_content() if text is not None else None,
            "html": html.get_content() if html is not None else None,
            "raw": envelope.content.decode("utf-8", "replace"),
            "tls": session.ssl is not None,
        }
        number = next(self.numbers)
        temporary = os.path.join(self.directory, f".{number:05}.tmp")
        with open(temporary, "w", encoding="utf-8") as file:
            json.dump(record, file)
        os.rename(temporary, os.path.join(self.directory, f"{number:05}.json"))
        return "250 Message accepted for delivery"


async def stall(reader, writer):
    await asyncio.sleep(3600)


async def main():
    directory = sys.argv[1]
    loop = asyncio.get_running_loop()
    flags = sys.argv[2:]
    if "--stall" in flags:
        server = await asyncio.start_server(stall, "127.0.0.1", 0)
    elif "--starttls" in flags:
        at = flags.index("--starttls")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(flags[at + 1], flags[at + 2])
        recorder = Recorder(directory)
        server = await loop.create_server(
            lambda: SMTP(recorder, tls_context=context, require_starttls=True),
            "127.0.0.1",
            0,
        )
    elif "--implicit-tls" in flags:
        at = flags.index("--implicit-tls")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(flags[at + 1], flags[at + 2])
        recorder = Recorder(directory)
        server = await loop.create_server(
            lambda: SMTP(recorder), "127.0.0.1", 0, ssl=context
        )
    else:
        recorder = Recorder(directory)
        server = await loop.create_server(lambda: SMTP(recorder), "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
