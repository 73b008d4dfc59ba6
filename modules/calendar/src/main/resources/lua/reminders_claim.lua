-- Claims due reminders for one node, atomically: two nodes never claim the same reminder while its lease runs.
-- A claimed reminder moves from the due set to the in-flight set with a lease; a lease that ran out (its node died
-- before finishing) is claimed again.
-- KEYS[1] due sorted set   KEYS[2] in-flight sorted set
-- ARGV[1] most reminders to claim   ARGV[2] lease (ms)
-- Returns the claimed reminders.
local now = now_ms()
local max = tonumber(ARGV[1])
local lease_end = now + tonumber(ARGV[2])
local claimed = {}
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now, 'LIMIT', 0, max)
for _, reminder in ipairs(expired) do
  redis.call('ZADD', KEYS[2], lease_end, reminder)
  table.insert(claimed, reminder)
end
local room = max - #claimed
if room > 0 then
  local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, room)
  for _, reminder in ipairs(due) do
    redis.call('ZREM', KEYS[1], reminder)
    redis.call('ZADD', KEYS[2], lease_end, reminder)
    table.insert(claimed, reminder)
  end
end
return claimed
