-- Extend the deadline of leases this worker still holds (its heartbeat).
-- ARGV: lease_ttl_ms, lease ids... Returns how many were still held.
local ttl = tonumber(ARGV[1])
local held = 0
for i = 2, #ARGV do
  if redis.call('ZADD', B .. ':leases', 'XX', 'CH', now + ttl, ARGV[i]) == 1 then
    held = held + 1
  elseif redis.call('ZSCORE', B .. ':leases', ARGV[i]) then
    held = held + 1
  end
end
return held
