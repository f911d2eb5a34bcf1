-- wrk: get-session with a different bearer token on every request, read from BENCH_TOKENS (one
-- token per line), so the whole seeded session table is read.
local tokens = {}
local index = 0

function init(args)
  for line in io.lines(os.getenv("BENCH_TOKENS")) do
    tokens[#tokens + 1] = line
  end
  index = math.random(#tokens)
end

function request()
  index = index % #tokens + 1
  return wrk.format("GET", "/api/auth/get-session", { ["Authorization"] = "Bearer " .. tokens[index] })
end
