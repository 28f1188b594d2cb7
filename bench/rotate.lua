-- wrk script for bench/harness.py: rotate through the requests of a file and count answers by
-- status.
--
--   wrk ... -s bench/rotate.lua <base url> -- FILE [OFFSET]
--
-- FILE holds one request a line, "METHOD<TAB>PATH" or "METHOD<TAB>PATH<TAB>JSON BODY". Every
-- request is formatted once in init(); each thread starts at its own offset and walks the list in
-- order, so that all threads together cover it evenly (a cache sees many keys, not one). OFFSET
-- (the harness draws one per run) moves the start, so that a run does not replay the requests
-- of the run before it and find them cached.
-- done() prints one JSON line, "BENCH {...}", which the harness reads.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_index", #threads)
end

local requests = {}
local position = 0
c2xx, c3xx, c4xx, c429, c503, c5xx = 0, 0, 0, 0, 0, 0

function init(args)
  local headers = { ["Content-Type"] = "application/json" }
  for line in io.lines(args[1]) do
    local method, path, body = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
    if method then
      if body == "" then body = nil end
      requests[#requests + 1] = wrk.format(method, path, body and headers or nil, body)
    end
  end
  if #requests == 0 then
    error("no request in " .. tostring(args[1]))
  end
  position = (tonumber(args[2] or "0") + ((thread_index or 1) - 1) * 7919) % #requests
end

function request()
  position = position % #requests + 1
  return requests[position]
end

function response(status, headers, body)
  if status < 300 then c2xx = c2xx + 1
  elseif status < 400 then c3xx = c3xx + 1
  elseif status == 429 then c429 = c429 + 1
  elseif status < 500 then c4xx = c4xx + 1
  elseif status == 503 then c503 = c503 + 1
  else c5xx = c5xx + 1 end
end

function done(summary, latency, requests)
  local counts = { c2xx = 0, c3xx = 0, c4xx = 0, c429 = 0, c503 = 0, c5xx = 0 }
  for _, thread in ipairs(threads) do
    for name, _ in pairs(counts) do
      counts[name] = counts[name] + (thread:get(name) or 0)
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"2xx": %d, "3xx": %d, "4xx": %d, "429": %d, "503": %d, "5xx": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "timeout": %d}\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.max,
    counts.c2xx, counts.c3xx, counts.c4xx, counts.c429, counts.c503, counts.c5xx,
    e.connect, e.read, e.write, e.timeout))
end
