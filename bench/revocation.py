"""How long a sign-out on one instance takes to reach another (database strategy, session cache).

    python3 bench/revocation.py http://127.0.0.1:A http://127.0.0.1:B TOKENS_FILE

For each token (one session each, already in the shared database): get-session on B until B has
it cached, sign-out with that token on A, then get-session on B in a loop until B answers null.
The time from A's answer to B's first null is one trial. Prints key=value lines: the number of
trials and the 50th, 90th, 99th percentile and the maximum, in milliseconds.
"""

import http.client
import sys
import time


def connection(url):
    host, port = url.split("//", 1)[1].rsplit(":", 1)
    return http.client.HTTPConnection(host, int(port))


def signed_in(conn, token):
    conn.request("GET", "/api/auth/get-session", headers={"Authorization": f"Bearer {token}"})
    answer = conn.getresponse()
    body = answer.read()
    if answer.status != 200:
        raise SystemExit(f"get-session answered {answer.status}: {body!r}")
    return body != b"null"


def sign_out(conn, token):
    conn.request(
        "POST",
        "/api/auth/sign-out",
        body="{}",
        headers={"Authorization": f"Bearer {token}", "content-type": "application/json"},
    )
    answer = conn.getresponse()
    body = answer.read()
    if answer.status != 200:
        raise SystemExit(f"sign-out answered {answer.status}: {body!r}")


def main():
    first, second, tokens_path = sys.argv[1:4]
    a, b = connection(first), connection(second)
    tokens = [line.strip() for line in open(tokens_path) if line.strip()]
    delays = []
    for token in tokens:
        if not (signed_in(b, token) and signed_in(b, token)):
            raise SystemExit("a seeded session is not signed in on the second instance")
        sign_out(a, token)
        started = time.perf_counter()
        while signed_in(b, token):
            if time.perf_counter() - started > 5:
                raise SystemExit("the second instance still answered the session 5 s after the sign-out")
        delays.append((time.perf_counter() - started) * 1000)
    delays.sort()
    pick = lambda q: delays[min(len(delays) - 1, int(q * len(delays)))]
    print(f"revocation_trials={len(delays)}")
    for name, q in (("p50", 0.50), ("p90", 0.90), ("p99", 0.99)):
        print(f"revocation_{name}_ms={pick(q):.2f}")
    print(f"revocation_max_ms={delays[-1]:.2f}")


if __name__ == "__main__":
    main()
