-- wrk script: requests read from the file named by BENCH_REQUESTS, one per line, taken in turn
-- (each thread starts elsewhere in the list). A line is tab-separated: the path, then headers
-- as "Name: value". "{rand}" in a line becomes a random number on every request.
-- At the end, one line "BENCH {json}" with the counts and the latency percentiles.

local formatted = {}
local templates = {}
local next_one = 1

local function split(line)
  local fields = {}
  for field in string.gmatch(line, "[^\t]+") do
    fields[#fields + 1] = field
  end
  return fields
end

local function format(line)
  local fields = split(line)
  local headers = {}
  for i = 2, #fields do
    local name, value = string.match(fields[i], "^([^:]+):%s*(.*)$")
    headers[name] = value
  end
  return wrk.format("GET", fields[1], headers)
end

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function init(args)
  math.randomseed(os.time() * 100 + id)
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    if string.find(line, "{rand}", 1, true) then
      templates[#formatted + 1] = line
      formatted[#formatted + 1] = false
    else
      formatted[#formatted + 1] = format(line)
    end
  end
  next_one = math.random(#formatted)
end

function request()
  local index = next_one
  next_one = next_one % #formatted + 1
  local ready = formatted[index]
  if ready then
    return ready
  end
  local line = string.gsub(templates[index], "{rand}", tostring(math.random(1, 2000000000)))
  return format(line)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "errors": {"connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d}, "latency_us": {"p50": %.0f, "p95": %.0f, ' ..
    '"p99": %.0f, "max": %.0f, "mean": %.1f}}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    latency.mean))
end
