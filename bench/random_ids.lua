-- wrk script: GET <prefix><random id in [1, N]><suffix>, or one fixed path.
--
--   wrk ... -s bench/random_ids.lua <url> -- random 100000 /v1/reviews/ /claimreview
--   wrk ... -s bench/random_ids.lua <url> -- fixed /fixed
--
-- Both modes draw a random number per request, so that wrk spends the same work per request
-- on either target. Each thread gets its own seed. done() prints one machine-readable line.

local counter = 0
local threads = {}

function setup(thread)
  counter = counter + 1
  thread:set("thread_index", counter)
  table.insert(threads, thread)
end

local mode, count, prefix, suffix, fixed

function init(args)
  mode = args[1] or "random"
  math.randomseed(os.time() * 1000 + (thread_index or 0) * 7919)
  if mode == "fixed" then
    fixed = wrk.format("GET", args[2] or "/")
  else
    count = tonumber(args[2] or "100000")
    prefix = args[3] or "/v1/reviews/"
    suffix = args[4] or "/claimreview"
  end
end

function request()
  local id = math.random(1, count or 1)
  if fixed then
    return fixed
  end
  return wrk.format("GET", prefix .. id .. suffix)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH-SUMMARY {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "status_errors": %d, ' ..
    '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.status, e.connect, e.read, e.write, e.timeout))
end
