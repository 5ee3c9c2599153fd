-- One client's token bucket, atomically: refill by elapsed time, then take one token if there is one.
-- Redis's own clock is used so that every gateway instance agrees on time.
-- KEYS[1] the bucket; ARGV[1] capacity; ARGV[2] refill per second
-- returns { allowed (0/1), tokens left (floor), ms until full, ms until the next token when refused }
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = capacity
  at = now
end
tokens = math.min(capacity, tokens + math.max(0, now - at) * rate / 1000)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
local to_full = math.ceil((capacity - tokens) * 1000 / rate)
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
-- a full bucket needs no state: let idle clients' keys expire
redis.call('PEXPIRE', KEYS[1], to_full + 1000)
local to_next = 0
if allowed == 0 then
  to_next = math.ceil((1 - tokens) * 1000 / rate)
end
return { allowed, math.floor(tokens), to_full, to_next }
