-- Replaces an event's scheduled reminders (after the event changed): the old ones leave the due set, the new ones
-- enter it. A reminder being delivered meanwhile is not rescheduled by its node (reminders_done.lua).
-- KEYS[1] due sorted set   KEYS[2] the event's set of scheduled reminders
-- ARGV pairs: when due (epoch ms), reminder
-- Returns the number of reminders now scheduled.
local old = redis.call('SMEMBERS', KEYS[2])
for _, reminder in ipairs(old) do
  redis.call('ZREM', KEYS[1], reminder)
end
redis.call('DEL', KEYS[2])
for j = 1, #ARGV, 2 do
  redis.call('ZADD', KEYS[1], ARGV[j], ARGV[j + 1])
  redis.call('SADD', KEYS[2], ARGV[j + 1])
end
return #ARGV / 2
