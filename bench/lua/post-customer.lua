-- POST /v1/customers with a unique email per request (BENCH_NONCE keeps runs apart).
local nonce = os.getenv("BENCH_NONCE") or tostring(os.time())
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n + 1
  local body = string.format('{"name":"Bench %d","email":"bench-%s-%d-%d@example.com","metadata":{"plan":"bench"}}',
    n, nonce, math.random(1000000000), n)
  return wrk.format(nil, "/v1/customers", nil, body)
end
