-- Shared prelude of the frontier scripts. KEYS[1] is the shard base, e.g. "{isop:7}": every
-- key below starts with it, so the whole shard sits in one Redis Cluster slot.
local B = KEYS[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local function qkey(d) return B .. ':q:' .. d end

local function stat(name, n)
  if n ~= 0 then redis.call('HINCRBY', B .. ':stats', name, n) end
end

-- Put a domain in the ready set if it has queued work, room for one more request in flight,
-- and is not there already; its score is the first time it may be fetched again.
local function make_ready(d, max_inflight)
  if redis.call('ZSCORE', B .. ':ready', d) then return end
  if redis.call('ZCARD', qkey(d)) == 0 then return end
  local inflight = tonumber(redis.call('HGET', B .. ':inflight', d) or '0')
  if inflight >= max_inflight then return end
  local nxt = tonumber(redis.call('HGET', B .. ':next', d) or '0')
  if nxt < now then nxt = now end
  redis.call('ZADD', B .. ':ready', nxt, d)
end

-- Queue score: higher priority first, then first in first out.
local function qscore(priority)
  local seq = redis.call('INCR', B .. ':seq') % 1000000000
  return -tonumber(priority) * 1000000000 + seq
end

local function enqueue(d, score, json, max_inflight)
  if redis.call('ZADD', qkey(d), score, json) == 1 then
    redis.call('INCR', B .. ':pending')
  end
  make_ready(d, max_inflight)
end

-- Split "domain\tscore\tjson".
local function unpack_entry(entry)
  local a = string.find(entry, '\t', 1, true)
  local b = string.find(entry, '\t', a + 1, true)
  return string.sub(entry, 1, a - 1), tonumber(string.sub(entry, a + 1, b - 1)),
         string.sub(entry, b + 1)
end

-- Give the requests of expired leases (their worker died or hung) back to their queues.
local function reclaim_expired(max_inflight, limit)
  local expired = redis.call('ZRANGEBYSCORE', B .. ':leases', '-inf', now, 'LIMIT', 0, limit)
  for _, id in ipairs(expired) do
    local entry = redis.call('HGET', B .. ':lease', id)
    redis.call('ZREM', B .. ':leases', id)
    redis.call('HDEL', B .. ':lease', id)
    if entry then
      local d, score, json = unpack_entry(entry)
      redis.call('HINCRBY', B .. ':inflight', d, -1)
      enqueue(d, score, json, max_inflight)
    end
  end
  stat('expired', #expired)
end

-- Move scheduled revisits whose time has come into their domain queues.
local function release_due(max_inflight, limit)
  local due = redis.call('ZRANGEBYSCORE', B .. ':due', '-inf', now, 'LIMIT', 0, limit)
  for _, entry in ipairs(due) do
    redis.call('ZREM', B .. ':due', entry)
    local d, score, json = unpack_entry(entry)
    enqueue(d, qscore(score), json, max_inflight)
  end
  stat('due_released', #due)
end
