-- wrk: POST a password-reset request for the benchmark user (a known address: a token is stored
-- and a message queued on every request).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"' .. os.getenv("BENCH_EMAIL") .. '"}'
