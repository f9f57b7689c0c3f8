-- Driver appended after a script body wrapped as run(ARGV): runs it once per shard named in
-- KEYS, so one EVALSHA serves every shard a server holds (a Redis Cluster call names one
-- shard: its keys must share a slot). ARGV: for each key in turn, its argument count c,
-- then its c arguments. Returns one reply per key, in order.
local replies = {}
local pos = 1
for k = 1, #KEYS do
  B = KEYS[k]
  local c = tonumber(ARGV[pos])
  local args = {}
  for j = 1, c do args[j] = ARGV[pos + j] end
  pos = pos + c + 1
  replies[k] = run(args)
end
return replies
