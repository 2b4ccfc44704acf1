package redisstore

// The Lua scripts run atomically in Redis (https://redis.io/docs/latest/develop/programmability/eval-intro/),
// so replicas racing for the same bucket or slot never both win. Each reads
// the clock with TIME, the Redis server's, never a replica's, so replicas
// whose clocks disagree still refill one bucket at one rate. script.run
// sends EVALSHA and falls back to EVAL on NOSCRIPT (a restarted
// or flushed server). replicate_commands is a no-op on Redis >= 5 and lets
// a script that read TIME write on older servers.

// takeScript is the token bucket of ratelimit.Budget (golang.org/x/time/rate):
// KEYS[1] a hash {tokens, ts}; ARGV units per second, burst, cost. An
// absent bucket is full. It returns {1 if granted, the shortfall and the
// units left, both in millionths of a unit}; the caller turns the
// shortfall into a wait the same way the in-process budget does. The key
// expires when the bucket would be full again, which is what absent means.
var takeScript = newScript(`
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate, burst, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local v = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens, ts = tonumber(v[1]), tonumber(v[2])
if tokens == nil or ts == nil then
  tokens, ts = burst, now
end
if now > ts then
  tokens = tokens + (now - ts) * rate
else
  now = ts
end
if tokens > burst then tokens = burst end
local ok, short = 0, 0
if tokens >= cost then
  tokens = tokens - cost
  ok = 1
else
  short = cost - tokens
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'ts', string.format('%.17g', now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
return {ok, math.ceil(short * 1000000), math.floor(tokens * 1000000)}
`)

// acquireScript takes an in-flight slot: KEYS[1] a sorted set of leases
// scored by expiry (ms of Redis time); ARGV limit, lease ID, lease TTL ms.
// Expired leases (a replica that died holding them) are dropped first.
var acquireScript = newScript(`
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + ttl, ARGV[2])
redis.call('PEXPIRE', KEYS[1], ttl * 2)
return 1
`)

// renewScript extends the leases a live replica still holds: KEYS[1] the
// sorted set; ARGV the TTL ms, then the lease IDs. XX: a lease that has
// already expired (or was released) is not brought back.
var renewScript = newScript(`
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[1])
for i = 2, #ARGV do
  redis.call('ZADD', KEYS[1], 'XX', now + ttl, ARGV[i])
end
redis.call('PEXPIRE', KEYS[1], ttl * 2)
return #ARGV - 1
`)

// heartbeatScript records this replica as live until now+TTL and counts
// the live replicas: the N of the fail-safe's 1/N. KEYS[1] the sorted
// set of replicas; ARGV replica ID, TTL ms.
var heartbeatScript = newScript(`
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('PEXPIRE', KEYS[1], ttl * 2)
return redis.call('ZCARD', KEYS[1])
`)
