-- wrk script: POST one MCP tools/call (list_invoices, default 25 newest) per request and check each answer.
wrk.method = "POST"
wrk.body = '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"list_invoices","arguments":{}}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"

local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) failures = 0 end

-- A fast wrong answer must not count: every response has to carry the invoices and no error.
function response(status, headers, body)
  if status ~= 200 or not body:find("RE%-", 1) or body:find('"isError":true', 1, true) then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("failures") end
  io.write(string.format("FAILURES %d\n", total))
end
