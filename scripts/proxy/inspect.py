"""What the echo upstream (echo.py) saw, for scripts/proxy-test.sh. Reads a response body (the
echo's JSON, or its HTML sign-in page) and prints one line each:
  upstream=echo|none     whether the request reached the application at all
  method=..., path=..., body=...
  X_AUTH_...=<name as received>: <value>   for every header the app would read as X-Auth-*
The last kind is what a CGI/WSGI/PHP-style app sees: names upper-cased, every character that is
not a letter or digit turned into "_", so X_Auth_User_Id and X.Auth.User.Id count as
X-Auth-User-Id. Usage: python3 inspect.py BODY_FILE"""

import html
import json
import re
import sys

raw = open(sys.argv[1], encoding="utf-8", errors="replace").read()
match = re.search(r"<pre>(.*)</pre>", raw, re.S)
try:
    seen = json.loads(html.unescape(match.group(1)) if match else raw)
except ValueError:
    seen = None
if not isinstance(seen, dict) or seen.get("upstream") != "echo":
    print("upstream=none")
    sys.exit(0)
print("upstream=echo")
for key in ("method", "path", "body"):
    print(f"{key}={seen[key]}")
for name, value in sorted(seen["headers"].items()):
    folded = re.sub(r"[^A-Z0-9]", "_", name.upper())
    if folded.startswith("X_AUTH_"):
        print(f"{folded}={name}: {value}")
