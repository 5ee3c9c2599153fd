-- GET /v1/customers/{id} over the ids in the file named by BENCH_IDS (one id a line), round robin.
local ids = {}
local file = assert(io.open(os.getenv("BENCH_IDS"), "r"))
for line in file:lines() do if #line > 0 then ids[#ids + 1] = line end end
file:close()
local i = math.random(#ids)
request = function()
  i = i % #ids + 1
  return wrk.format("GET", "/v1/customers/" .. ids[i])
end
