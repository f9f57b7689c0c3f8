-- Finish leases: 'ack' drops the request (its response or final failure was handled);
-- 'release' puts it back at the head of its queue (a worker stopping cleanly).
-- ARGV: mode, max_inflight, lease ids... Returns how many leases were still held; a lease
-- that expired meanwhile was already given back by reclaim_expired and counts as late.
local mode = ARGV[1]
local max_inflight = tonumber(ARGV[2])
local done, late = 0, 0
for i = 3, #ARGV do
  local id = ARGV[i]
  local entry = redis.call('HGET', B .. ':lease', id)
  if entry then
    redis.call('HDEL', B .. ':lease', id)
    redis.call('ZREM', B .. ':leases', id)
    local d, score, json = unpack_entry(entry)
    redis.call('HINCRBY', B .. ':inflight', d, -1)
    if mode == 'release' then
      enqueue(d, score, json, max_inflight)
    else
      make_ready(d, max_inflight)
    end
    done = done + 1
  else
    late = late + 1
  end
end
stat(mode == 'release' and 'released' or 'acked', done)
stat('late_finish', late)
return done
