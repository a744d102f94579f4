-- post.lua: wrk script that POSTs one request body (the file named by the
-- BODY environment variable) on every request, keep-alive, over TLS.
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/json"

-- counts answers that are not 200 so the report can show them
local bad = 0
function response(status, headers, body)
	if status ~= 200 then
		bad = bad + 1
	end
end

function done(summary, latency, requests)
	io.write(string.format("wrk-result\t%d\t%.3f\t%.3f\t%.3f\t%d\t%d\n",
		summary.requests, summary.requests / (summary.duration / 1e6),
		latency:percentile(50) / 1000, latency:percentile(99) / 1000,
		summary.errors.connect + summary.errors.read + summary.errors.write +
		summary.errors.timeout + summary.errors.status, summary.duration))
end
