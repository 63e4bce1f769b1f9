-- wrk script: POST the order in BENCH_BODY with BENCH_TOKEN, and note each created order's id
-- (one file per wrk thread, BENCH_IDS.<n>) so the benchmark can time its confirmation.
-- Non-2xx answers are counted by wrk itself ("Non-2xx or 3xx responses").
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("number", counter)
end

function init(args)
  wrk.method = "POST"
  wrk.body = os.getenv("BENCH_BODY")
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
  ids = io.open(os.getenv("BENCH_IDS") .. "." .. number, "w")
  ids:setvbuf("line")
end

function response(status, headers, body)
  if status == 201 then
    local id = body:match('"id"%s*:%s*"([^"]+)"')
    if id then ids:write(id, "\n") end
  end
end
