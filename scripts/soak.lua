-- soak.lua: the request mix wrk sends for scripts/soak.py.
-- Bodies come from the folder in $SOAK_BODIES: filter in NodeNames mode,
-- filter with full Node objects, and capacity, in the ratio 2:1:1.
-- done() prints one line "SOAK {json}" that soak.py reads.

local dir = os.getenv("SOAK_BODIES")

local function slurp(name)
	local f = assert(io.open(dir .. "/" .. name, "rb"))
	local s = f:read("*a")
	f:close()
	return s
end

local requests = {}
local next_request = 0

function init(args)
	local json = { ["Content-Type"] = "application/json" }
	for k, v in pairs(wrk.headers) do -- -H headers (e.g. Connection: close)
		json[k] = v
	end
	requests = {
		wrk.format("POST", "/filter", json, slurp("filter-names.json")),
		wrk.format("POST", "/filter", json, slurp("filter-nodes.json")),
		wrk.format("POST", "/filter", json, slurp("filter-names.json")),
		wrk.format("POST", "/capacity?perNode=false", json, slurp("capacity.json")),
	}
end

function request()
	next_request = next_request % #requests + 1
	return requests[next_request]
end

function done(summary, latency, requests_)
	local e = summary.errors
	io.write(string.format(
		'SOAK {"requests": %d, "duration_us": %d, "non2xx": %d, "connect_errors": %d, ' ..
		'"read_errors": %d, "write_errors": %d, "timeouts": %d, "p50_us": %d, "p99_us": %d, ' ..
		'"max_us": %d}\n',
		summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
		math.floor(latency:percentile(50)), math.floor(latency:percentile(99)),
		math.floor(latency.max)))
end
