-- wrk script: POSTs bench/cdr-2p.json (path in BENCH_BODY) as a CDR push, every request with its own
-- X-TCCC-PUSH-UUID and SessionId, and prints one machine-readable RESULT line at the end.
local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

local prefix, suffix, run
local headers = {}
local counter = 0

function init(args)
  local file = assert(io.open(os.getenv("BENCH_BODY"), "rb"))
  local body = file:read("*a")
  file:close()
  local first, last = body:find("__SESSION_ID__", 1, true)
  prefix, suffix = body:sub(1, first - 1), body:sub(last + 1)
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
  run = string.format("%08x", math.random(0, 0x7fffffff))
  headers["Content-Type"] = "application/json; charset=utf8"
  local authorization = os.getenv("BENCH_AUTHORIZATION")
  if authorization and #authorization > 0 then
    headers["Authorization"] = authorization
  end
end

function request()
  counter = counter + 1
  local id = string.format("%s-%04x-4%03x-8000-%012x", run, tid or 0, counter % 4096, counter)
  headers["X-TCCC-PUSH-UUID"] = id
  return wrk.format("POST", "/push?action=cdr&version=1", headers, prefix .. "s" .. id:sub(2) .. suffix)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d non2xx=%d errors=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
