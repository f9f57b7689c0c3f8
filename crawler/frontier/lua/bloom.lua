-- Frontier dedup library: a time-bucketed Bloom filter on Redis bitmaps, or an exact set.
-- Concatenate it before a script body (crawler/frontier/bloom.py: DEDUP_LUA); it defines
-- only locals named dedup_*, bloom_* and exact_*, and reads no KEYS, ARGV or globals but
-- redis and Lua's standard library.
--
--   local f = dedup_open(base, spec, now_ms)
--     base    the caller's key base with its hash tag, e.g. "{isop:7}"; the keys are
--             <base>:bloom:<bucket>[:<part>] or <base>:exact:<bucket>
--     spec    Python's dedup.spec: "bloom:<window_ms>:<part_bits>:<parts>:<k>" or
--             "exact:<window_ms>"; every worker of a fleet must send the same spec
--     now_ms  integer epoch milliseconds; production passes dedup_now_ms() (server TIME)
--   dedup_check_and_set(f, item) -> 1 new (now recorded), 0 seen (nothing written: a
--                                   duplicate adds nothing to the AOF or replicas)
--   dedup_check(f, item)         -> 1 seen, 0 not seen (read-only)
--     item    Python's dedup.encode(fingerprint): the k bit positions in ASCII decimal,
--             space-separated (bloom), or the raw 20-byte fingerprint (exact)
--
-- Bucket = floor(now_ms / window_ms).  An item is seen if it is in the current or the
-- previous bucket; a new one is recorded in the current bucket only, so it is due again
-- after one to two windows.  A bucket key expires once it can no longer be "previous".
-- One f serves many calls within one script run: key checks are made once per run.

local function dedup_now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function dedup_open(base, spec, now_ms)
  local fields = {}
  for v in string.gmatch(spec, '[^:]+') do fields[#fields + 1] = v end
  local mode, window = fields[1], tonumber(fields[2])
  if (mode ~= 'bloom' and mode ~= 'exact') or not window or window < 1 then
    error('isop dedup: bad spec "' .. spec .. '"')
  end
  local bucket = math.floor(now_ms / window)
  local prefix = base .. ':' .. mode .. ':'
  local f = {
    mode = mode,
    cur = prefix .. string.format('%d', bucket),
    prev = prefix .. string.format('%d', bucket - 1),
    -- alive while current or previous, plus a little grace
    ttl = (bucket + 2) * window - now_ms + math.min(window, 60000),
  }
  if mode == 'bloom' then
    f.part_bits, f.parts, f.k = tonumber(fields[3]), tonumber(fields[4]), tonumber(fields[5])
    if not f.part_bits or not f.parts or not f.k then
      error('isop dedup: bad spec "' .. spec .. '"')
    end
    f.bytes = math.ceil(f.part_bits / 8)
  end
  return f
end

-- Bloom ------------------------------------------------------------------------------------

local function bloom_key(f, which, part)
  if f.parts == 1 then return f[which] end
  return f[which] .. ':' .. part
end

local function bloom_size_ok(f, key)
  local have = redis.call('STRLEN', key)
  if have ~= f.bytes then
    error('isop dedup: ' .. key .. ' holds ' .. have .. ' bytes but this worker expects ' ..
          f.bytes .. ': every worker must use the same frontier.expected_urls, ' ..
          'frontier.dedup_error_rate and shard count (ISOP_DEDUP_* for the dupefilter), ' ..
          'or delete the key')
  end
end

-- Which buckets exist (read path); checks the previous bucket was sized like ours.
local function bloom_probe(f)
  f.has_prev = redis.call('EXISTS', bloom_key(f, 'prev', 0)) == 1
  if f.has_prev then bloom_size_ok(f, bloom_key(f, 'prev', 0)) end
  f.has_cur = redis.call('EXISTS', bloom_key(f, 'cur', 0)) == 1
  if f.has_cur then bloom_size_ok(f, bloom_key(f, 'cur', 0)) end
end

-- Create the current bucket (write path): SETBIT on a missing key allocates the string to
-- exactly that offset, whereas growing an existing string over-allocates (up to +1 MB), so
-- the whole bitmap is allocated once, up front: memory is known from the first URL on.
local function bloom_prepare(f)
  if f.has_prev == nil then bloom_probe(f) end
  for j = 0, f.parts - 1 do
    local key = bloom_key(f, 'cur', j)
    local ttl = redis.call('PTTL', key)
    if ttl == -2 then
      redis.call('SETBIT', key, f.part_bits - 1, 0)
    elseif j > 0 then
      bloom_size_ok(f, key)
    end
    if ttl < 0 then redis.call('PEXPIRE', key, f.ttl) end
  end
  f.has_cur, f.ready = true, true
end

local function bloom_positions(f, item)
  local pos = {}
  for p in string.gmatch(item, '%d+') do pos[#pos + 1] = p end
  if #pos ~= f.k then
    error('isop dedup: a bloom item has ' .. #pos .. ' positions, expected ' .. f.k)
  end
  return pos
end

-- Partition and offset of a position (a decimal string) in a filter split into parts.
local function bloom_locate(f, p)
  if f.parts == 1 then return 0, p end
  local n = tonumber(p)
  local part = math.floor(n / f.part_bits)
  return part, string.format('%d', n - part * f.part_bits)
end

-- Are all positions set in bucket `which`?  GETBIT stops at the first clear bit: a new URL
-- usually costs one or two calls.
local function bloom_all_set(f, which, pos)
  for n = 1, #pos do
    local part, off = bloom_locate(f, pos[n])
    if redis.call('GETBIT', bloom_key(f, which, part), off) == 0 then return false end
  end
  return true
end

-- Set all positions in the current bucket: BITFIELD takes them in one Redis call per
-- partition touched (usually one) instead of k SETBITs.
local function bloom_set_all(f, pos)
  local groups, order = {}, {}
  for n = 1, #pos do
    local part, off = bloom_locate(f, pos[n])
    local args = groups[part]
    if not args then
      args = {}
      groups[part] = args
      order[#order + 1] = part
    end
    args[#args + 1] = 'SET'
    args[#args + 1] = 'u1'
    args[#args + 1] = off
    args[#args + 1] = '1'
  end
  for _, part in ipairs(order) do
    redis.call('BITFIELD', bloom_key(f, 'cur', part), unpack(groups[part]))
  end
end

-- Reads first: a duplicate (most links a crawler finds) writes nothing, so it adds nothing
-- to the AOF or the replication stream.
local function bloom_check_and_set(f, item)
  if not f.ready then bloom_prepare(f) end
  local pos = bloom_positions(f, item)
  if f.has_prev and bloom_all_set(f, 'prev', pos) then return 0 end
  if bloom_all_set(f, 'cur', pos) then return 0 end
  bloom_set_all(f, pos)
  return 1
end

local function bloom_check(f, item)
  if f.has_prev == nil then bloom_probe(f) end
  local pos = bloom_positions(f, item)
  if f.has_prev and bloom_all_set(f, 'prev', pos) then return 1 end
  if f.has_cur and bloom_all_set(f, 'cur', pos) then return 1 end
  return 0
end

-- Exact --------------------------------------------------------------------------------------

local function exact_check_and_set(f, fp)
  if f.has_prev == nil then f.has_prev = redis.call('EXISTS', f.prev) == 1 end
  if f.has_prev and redis.call('SISMEMBER', f.prev, fp) == 1 then return 0 end
  local added = redis.call('SADD', f.cur, fp)
  if not f.ready then
    if redis.call('PTTL', f.cur) < 0 then redis.call('PEXPIRE', f.cur, f.ttl) end
    f.ready = true
  end
  return added
end

local function exact_check(f, fp)
  if redis.call('SISMEMBER', f.prev, fp) == 1 then return 1 end
  return redis.call('SISMEMBER', f.cur, fp)
end

-- Either mode --------------------------------------------------------------------------------

local function dedup_check_and_set(f, item)
  if f.mode == 'bloom' then return bloom_check_and_set(f, item) end
  return exact_check_and_set(f, item)
end

local function dedup_check(f, item)
  if f.mode == 'bloom' then return bloom_check(f, item) end
  return exact_check(f, item)
end
