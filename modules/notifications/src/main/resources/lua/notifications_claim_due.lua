-- Claims the coalescing windows that have ended, at most once each across every node: each is taken off the due
-- set here. The caller then takes each window's hash (notifications_take_gate.lua, in the user's slot).
-- KEYS[1] the due windows (sorted set: "user|group" -> end ms)
-- ARGV[1] now ms  ARGV[2] max to claim
-- Returns the members claimed.
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, member in ipairs(due) do
  redis.call('ZREM', KEYS[1], member)
end
return due
