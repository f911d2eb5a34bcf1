"""The full flow through the generated Python client, against a live gatehouse at GATEHOUSE_URL:
sign up, sign in, read the session with the bearer token, list the sessions and revoke them,
change the password, sign out, see no session, and errors read through their typed models."""

import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from gatehouse_client import AuthenticatedClient, Client  # noqa: E402
from gatehouse_client.api.account import change_password  # noqa: E402
from gatehouse_client.api.auth import get_session, sign_out, sign_up  # noqa: E402
from gatehouse_client.api.better_auth import sign_in_email  # noqa: E402
from gatehouse_client.api.sessions import (  # noqa: E402
    list_sessions,
    revoke_other_sessions,
    revoke_session,
)
from gatehouse_client.models import (  # noqa: E402
    ChangePasswordBody,
    ChangePasswordResponse,
    RevokeSessionBody,
    SessionResponse,
    SignInEmailBody,
    SignInEmailError401,
    SignInResponse,
    SignUpBody,
    SignUpResponse,
)


def check(condition, message):
    if not condition:
        raise SystemExit(f"python flow failed: {message}")


base_url = os.environ.get("GATEHOUSE_URL", "http://127.0.0.1:8080")
email = f"py-{int(time.time() * 1000)}-{random.randrange(10**6)}@example.com"
password = "correct-horse-battery"
# httpx keeps the session cookie it is given, and a request that carries a cookie must name a
# trusted origin (gatehouse's CSRF rule): a server-side caller sends one.
client = Client(base_url=base_url, headers={"Origin": base_url})

signed_up = sign_up.sync(client=client, body=SignUpBody(name="Python", email=email, password=password))
check(isinstance(signed_up, SignUpResponse), f"sign-up: {signed_up!r}")
check(signed_up.user.email == email, "sign-up returns the user")

signed_in = sign_in_email.sync(client=client, body=SignInEmailBody(email=email, password=password))
check(isinstance(signed_in, SignInResponse), f"sign-in: {signed_in!r}")
check(signed_in.redirect is False, "no callbackURL, no redirect")

authed = AuthenticatedClient(base_url=base_url, token=signed_in.token, headers={"Origin": base_url})
session = get_session.sync(client=authed)
check(isinstance(session, SessionResponse), f"get-session with the bearer token: {session!r}")
check(session.user.id == signed_up.user.id, "the session is the user's")
check(session.session.token == signed_in.token, "session.token is the sign-in token")

# A second device signs in; the first lists both devices and signs the second out by its handle.
laptop = sign_in_email.sync(client=client, body=SignInEmailBody(email=email, password=password))
laptop_authed = AuthenticatedClient(base_url=base_url, token=laptop.token, headers={"Origin": base_url})
laptop_id = get_session.sync(client=laptop_authed).session.id
listed = list_sessions.sync(client=authed)
handles = [item.token for item in listed]
check(len(handles) == 3 and laptop_id in handles, f"list-sessions: {listed!r}")
revoked = revoke_session.sync(client=authed, body=RevokeSessionBody(token=laptop_id))
check(getattr(revoked, "status", False) is True, f"revoke-session: {revoked!r}")
check(get_session.sync_detailed(client=laptop_authed).parsed is None, "the revoked device has no session")
others = revoke_other_sessions.sync(client=authed)
check(getattr(others, "status", False) is True, f"revoke-other-sessions: {others!r}")
check(len(list_sessions.sync(client=authed)) == 1, "only this session is left")

# A new password: the old one stops working, the session stays.
new_password = "a-new-passphrase-1"
changed = change_password.sync(
    client=authed, body=ChangePasswordBody(current_password=password, new_password=new_password)
)
check(isinstance(changed, ChangePasswordResponse) and changed.token is None, f"change-password: {changed!r}")
old = sign_in_email.sync_detailed(client=client, body=SignInEmailBody(email=email, password=password))
check(old.status_code == 401, f"the old password no longer signs in: {old.status_code}")
wrong_current = change_password.sync_detailed(
    client=authed, body=ChangePasswordBody(current_password=password, new_password="yet-another-one-3")
)
check(wrong_current.status_code == 400, f"a wrong current password is 400: {wrong_current.status_code}")
check(wrong_current.parsed.code.value == "INVALID_PASSWORD", f"typed error code: {wrong_current.parsed!r}")

signed_out = sign_out.sync(client=authed)
check(getattr(signed_out, "success", False) is True, f"sign-out: {signed_out!r}")

after = get_session.sync_detailed(client=authed)
check(after.status_code == 200 and after.parsed is None, f"no session after sign-out: {after!r}")

wrong = sign_in_email.sync_detailed(client=client, body=SignInEmailBody(email=email, password="wrong-password"))
check(wrong.status_code == 401, f"a wrong password is 401: {wrong.status_code}")
check(isinstance(wrong.parsed, SignInEmailError401), f"typed error: {wrong.parsed!r}")
check(wrong.parsed.code.value == "INVALID_EMAIL_OR_PASSWORD", f"typed error code: {wrong.parsed.code!r}")

print("python flow: ok")
