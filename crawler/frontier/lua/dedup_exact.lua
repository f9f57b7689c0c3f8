-- Exact dedup with time buckets: a fingerprint is seen if it is in the current or the
-- previous bucket's set, so it comes due again after one to two recrawl windows.
local function seen_and_set(fp, recrawl)
  local bucket = math.floor(now / recrawl)
  local cur = B .. ':seen:' .. bucket
  if redis.call('SISMEMBER', B .. ':seen:' .. (bucket - 1), fp) == 1 then return true end
  if redis.call('SADD', cur, fp) == 0 then return true end
  if redis.call('TTL', cur) < 0 then
    redis.call('PEXPIRE', cur, recrawl * 2 + 60000)
  end
  return false
end
