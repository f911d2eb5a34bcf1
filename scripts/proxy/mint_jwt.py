"""A session cookie value for the jwt strategy, signed with gatehouse's secret exactly as gatehouse
signs its own, valid from `now - 60 s` until `now + EXPIRES_IN` seconds (negative: already
expired). scripts/proxy-test.sh uses it because gatehouse accepts a JWT for 30 s after its `exp`
(clock-skew leeway), so a really short-lived token would need a half-minute wait; it checks the
same code's unexpired token is accepted, so the refusal of the expired one is not a format error.
Usage: python3 mint_jwt.py SECRET ISSUER USER_ID EMAIL NAME EXPIRES_IN"""

import base64
import hashlib
import hmac
import json
import secrets
import sys
import time
import urllib.parse

secret, issuer, user_id, email, name, expires_in = sys.argv[1:7]


def b64url(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


now = int(time.time())
claims = {
    "sub": user_id, "sid": secrets.token_hex(16), "jti": secrets.token_hex(16),
    "iat": now - 60, "nbf": now - 60, "exp": now + int(expires_in),
    "iss": issuer, "aud": issuer,
    "email": email, "name": name, "emailVerified": False, "image": None,
    "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z",
}
signing_input = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode()) + "." + b64url(json.dumps(claims).encode())
jwt = signing_input + "." + b64url(hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest())
# The cookie carries `<token>.<base64 HMAC-SHA256 of the token>`, percent-encoded.
signed = jwt + "." + base64.b64encode(hmac.new(secret.encode(), jwt.encode(), hashlib.sha256).digest()).decode()
print(urllib.parse.quote(signed, safe="-_.!~*'()"))
