-- POST /v1/transactions: transfers between random pairs of the accounts in the file named by
-- BENCH_ACCOUNTS (one id a line), both directions, 1..100 minor units, a fresh Idempotency-Key each.
local ids = {}
local file = assert(io.open(os.getenv("BENCH_ACCOUNTS"), "r"))
for line in file:lines() do if #line > 0 then ids[#ids + 1] = line end end
file:close()
local nonce = os.getenv("BENCH_NONCE") or tostring(os.time())
local thread_id = 0
local counter = 0

setup = function(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

init = function()
  math.randomseed(os.time() + (tid or 0) * 7919)
end

request = function()
  counter = counter + 1
  local from = math.random(#ids)
  local to = math.random(#ids - 1)
  if to >= from then to = to + 1 end
  local body = string.format(
    '{"type":"TRANSFER","amount":%d,"currency":"EUR","sourceAccountId":"%s","destinationAccountId":"%s"}',
    math.random(1, 100), ids[from], ids[to])
  local key = string.format("%s-%s-%d-%d", nonce, tostring(tid or 0), counter, math.random(1000000000))
  -- headers given to wrk.format replace those from -H (the token): copy them in
  local headers = { ["Content-Type"] = "application/json", ["Idempotency-Key"] = key }
  for name, value in pairs(wrk.headers) do headers[name] = value end
  return wrk.format("POST", "/v1/transactions", headers, body)
end
