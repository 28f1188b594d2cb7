-- wrk script for bench/lookup.py: rotate through pre-built requests read from a file.
--
--   wrk ... -s bench/lookup_batch.lua <url> -- post FILE   one JSON body per line,
--                                                           sent as POST /v1/lookup
--   wrk ... -s bench/lookup_batch.lua <url> -- get FILE    one path per line (GET)
--
-- Every request is formatted once in init(); each thread starts at its own offset in the list
-- and walks it in order, so all threads together cover it evenly. done() prints one
-- machine-readable line, the same as bench/random_ids.lua's.

local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_index", counter)
end

local requests = {}
local count = 0
local position = 0

function init(args)
  local mode, file = args[1], args[2]
  if (mode ~= "post" and mode ~= "get") or file == nil then
    error("usage: -- post FILE | get FILE")
  end
  local headers = { ["Content-Type"] = "application/json" }
  for line in io.lines(file) do
    if line ~= "" then
      if mode == "post" then
        requests[#requests + 1] = wrk.format("POST", "/v1/lookup", headers, line)
      else
        requests[#requests + 1] = wrk.format("GET", line)
      end
    end
  end
  count = #requests
  if count == 0 then
    error("no request in " .. file)
  end
  position = (((thread_index or 1) - 1) * 7919) % count
end

function request()
  position = position % count + 1
  return requests[position]
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
