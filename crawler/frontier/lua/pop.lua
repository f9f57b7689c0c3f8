-- Lease up to n requests from one shard: at most one per ready domain per call, so that a
-- domain is fetched at most once per its delay by the whole fleet, and at most
-- max_inflight of its requests are leased at once.
-- ARGV: n, lease_ttl_ms, worker_id, default_delay_ms, max_inflight
-- Returns {lease_1, json_1, ..., wait_ms}: how long until this shard may have something to
-- hand out (a domain due again, a revisit due, a lease expiring; 0 = now), or -1 if it
-- holds nothing at all.
local n = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local worker = ARGV[3]
local default_delay = tonumber(ARGV[4])
local max_inflight = tonumber(ARGV[5])

reclaim_expired(max_inflight, 100)
release_due(max_inflight, 100)

-- Among the domains that may be fetched now, take the ones whose best request ranks best.
local ready = redis.call('ZRANGEBYSCORE', B .. ':ready', '-inf', now, 'LIMIT', 0, n * 2)
local heads = {}
for _, d in ipairs(ready) do
  local head = redis.call('ZRANGE', qkey(d), 0, 0, 'WITHSCORES')
  if #head == 0 then
    redis.call('ZREM', B .. ':ready', d)
  else
    heads[#heads + 1] = {d, tonumber(head[2])}
  end
end
table.sort(heads, function(a, b) return a[2] < b[2] end)

local out = {}
local taken = 0
local seq = nil
for _, h in ipairs(heads) do
  if taken >= n then break end
  local d = h[1]
  local item = redis.call('ZPOPMIN', qkey(d))
  local json, score = item[1], item[2]
  -- One counter call per script for the lease ids, however many are granted.
  if seq == nil then seq = redis.call('INCR', B .. ':leaseseq') end
  local id = worker .. ':' .. seq .. '.' .. taken
  redis.call('HSET', B .. ':lease', id, d .. '\t' .. score .. '\t' .. json)
  redis.call('ZADD', B .. ':leases', now + ttl, id)
  local inflight = redis.call('HINCRBY', B .. ':inflight', d, 1)
  local delay = tonumber(redis.call('HGET', B .. ':delay', d) or default_delay)
  redis.call('HSET', B .. ':next', d, now + delay)
  -- make_ready() spelled out with what is known here: d is in the ready set (it was just
  -- read from it), its next time is now + delay and its in-flight count is inflight.
  if inflight < max_inflight and redis.call('ZCARD', qkey(d)) > 0 then
    redis.call('ZADD', B .. ':ready', now + delay, d)
  else
    redis.call('ZREM', B .. ':ready', d)
  end
  out[#out + 1] = id
  out[#out + 1] = json
  taken = taken + 1
end
if taken > 0 then redis.call('DECRBY', B .. ':pending', taken) end
stat('granted', taken)

if taken >= n then
  -- The caller got all it asked for: it will ask again at once anyway.
  out[#out + 1] = 0
  return out
end

local first = redis.call('ZRANGE', B .. ':ready', 0, 0, 'WITHSCORES')
local wait = -1
if #first > 0 then
  wait = tonumber(first[2]) - now
else
  local due = redis.call('ZRANGE', B .. ':due', 0, 0, 'WITHSCORES')
  if #due > 0 then wait = tonumber(due[2]) - now end
end
if wait == -1 then
  -- Nothing queued: the next change may be a lease of a dead worker expiring.
  local lease = redis.call('ZRANGE', B .. ':leases', 0, 0, 'WITHSCORES')
  if #lease > 0 then wait = tonumber(lease[2]) - now end
end
if wait ~= -1 and wait < 0 then wait = 0 end
out[#out + 1] = wait
return out
