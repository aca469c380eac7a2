-- wrk script of scripts/bench/throughput.sh. One script for every line; the mode comes after "--":
--   wrk ... -s bench.lua URL -- get
--   wrk ... -s bench.lua URL -- kvwrite BYTES           POST {"value": BYTES x "v"} to URL/w-<n>, n cycling 0..1023
--   wrk ... -s bench.lua URL -- post FILE               POST the first line of FILE to URL (the same body each time)
--   wrk ... -s bench.lua URL -- publish FILE THREADS [PREFIX [SUFFIX]]
--                                                       POST line k of FILE to URL/PREFIX<k>SUFFIX (PREFIX "i-",
--                                                       SUFFIX ""), each line once: thread t takes the lines k
--                                                       with k % THREADS == t
-- done() prints one line "RESULT key=value ..." for the shell to read (latencies in microseconds).
-- A publish thread that runs out of lines sets exhausted (the shell then fails the line) and
-- re-sends its last body (the unchanged path) rather than stopping, so the timing stays whole.

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local mode, fixed, path
local bodies, paths, count, n = {}, {}, 0, 0
exhausted = 0

local function read_lines(file, keep)
  local lines, k = {}, 0
  for line in io.lines(file) do
    if line ~= "" then
      if keep(k) then table.insert(lines, {k, line}) end
      k = k + 1
    end
  end
  return lines
end

function init(args)
  mode = args[1]
  path = wrk.path
  wrk.headers["Content-Type"] = "application/json"
  if mode == "get" then
    fixed = wrk.format("GET", path)
  elseif mode == "post" then
    local first = read_lines(args[2], function(k) return k == 0 end)
    fixed = wrk.format("POST", path, nil, first[1][2])
  elseif mode == "kvwrite" then
    local body = '{"value":"' .. string.rep("v", tonumber(args[2])) .. '"}'
    for i = 0, 1023 do
      bodies[i] = wrk.format("POST", path .. "/w-" .. i, nil, body)
    end
    n = tid * 512
  elseif mode == "publish" then
    local nthreads = tonumber(args[3])
    local prefix, suffix = args[4] or "i-", args[5] or ""
    for _, entry in ipairs(read_lines(args[2], function(k) return k % nthreads == tid end)) do
      count = count + 1
      bodies[count] = wrk.format("POST", path .. "/" .. prefix .. entry[1] .. suffix, nil, entry[2])
    end
  else
    error("bench.lua: unknown mode " .. tostring(mode))
  end
end

function request()
  if mode == "kvwrite" then
    n = n + 1
    return bodies[n % 1024]
  elseif mode == "publish" then
    if n < count then
      n = n + 1
    else
      exhausted = 1
    end
    return bodies[n]
  end
  return fixed
end

function done(summary, latency, requests)
  local out = 0
  for _, thread in ipairs(threads) do
    out = out + (thread:get("exhausted") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d exhausted=%d\n",
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, out))
end
