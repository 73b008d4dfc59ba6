-- Claims the coalescing windows that have ended, at most once each across every node.
-- KEYS[1] the due windows (sorted set)
-- ARGV[1] now ms  ARGV[2] max to claim  ARGV[3] key prefix (relais:ntf:)
-- Returns a flat list: member, held count, label, url, ... for each window that ended with pushes held back.
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local out = {}
for _, member in ipairs(due) do
  redis.call('ZREM', KEYS[1], member)
  local sep = string.find(member, '|', 1, true)
  local user = string.sub(member, 1, sep - 1)
  local group = string.sub(member, sep + 1)
  local gate = ARGV[3] .. '{n:' .. user .. '}:gate:' .. group
  local g = redis.call('HMGET', gate, 'held', 'label', 'url')
  redis.call('DEL', gate)
  if g[1] and tonumber(g[1]) > 0 then
    out[#out + 1] = member
    out[#out + 1] = g[1]
    out[#out + 1] = g[2] or ''
    out[#out + 1] = g[3] or ''
  end
end
return out
