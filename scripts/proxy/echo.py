"""The application behind the proxy in scripts/proxy-test.sh: answers every request with what it
received, as JSON: {"upstream": "echo", "method", "path", "headers" (names lower-cased, repeated
names joined with ", "), "body"}. /sign-in answers the same JSON inside an HTML page, as a public sign-in page
would be. Usage: python3 echo.py PORT"""

import http.server
import json
import sys


class Echo(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        headers = {}
        for name, value in self.headers.items():
            # http.server decodes header bytes as Latin-1; gatehouse's values are UTF-8.
            value = value.encode("latin-1", "replace").decode("utf-8", "replace")
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value
        seen = json.dumps({"upstream": "echo", "method": self.command, "path": self.path, "headers": headers, "body": body})
        if self.path.startswith("/sign-in"):
            payload, kind = f"<html><body>sign in<pre>{seen}</pre></body></html>", "text/html"
        else:
            payload, kind = seen, "application/json"
        raw = payload.encode()
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(raw)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = answer

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Echo).serve_forever()
