-- Push a batch of requests into one shard, atomically with dedup and the page budget.
-- ARGV: max_inflight, budget, dedup spec (see bloom.lua), n, then n groups of
--       domain, priority, due_ms (0 = now), dedup item ('' = not filtered), json
-- Returns one status per request: 1 queued, 2 scheduled for later, 0 duplicate, -1 over budget.
local max_inflight = tonumber(ARGV[1])
local budget = tonumber(ARGV[2])
local spec = ARGV[3]
local filter = nil
local n = tonumber(ARGV[4])
local out = {}
local dups, over, queued, later = 0, 0, 0, 0
for i = 0, n - 1 do
  local base = 5 + i * 5
  local d, priority, due = ARGV[base], ARGV[base + 1], tonumber(ARGV[base + 2])
  local fp, json = ARGV[base + 3], ARGV[base + 4]
  local status = 1
  if fp ~= '' and filter == nil then filter = dedup_open(B, spec, now) end
  if fp ~= '' and dedup_check_and_set(filter, fp) == 0 then
    status = 0
    dups = dups + 1
  elseif budget > 0 and redis.call('HINCRBY', B .. ':budget', d, 1) > budget then
    status = -1
    over = over + 1
  elseif due > now then
    redis.call('ZADD', B .. ':due', due, d .. '\t' .. priority .. '\t' .. json)
    status = 2
    later = later + 1
  else
    enqueue(d, qscore(priority), json, max_inflight)
    queued = queued + 1
  end
  out[#out + 1] = status
end
stat('pushed', queued)
stat('scheduled', later)
stat('duplicates', dups)
stat('over_budget', over)
return out
