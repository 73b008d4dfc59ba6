-- Finishes a claimed reminder: releases it and, if it is still one of its event's scheduled reminders (the event
-- was not re-planned meanwhile), schedules the event's next one in its place.
-- KEYS[1] due sorted set   KEYS[2] in-flight sorted set   KEYS[3] the event's set of scheduled reminders
-- ARGV[1] the finished reminder   ARGV[2] the next reminder or ''   ARGV[3] when the next one is due (epoch ms)
-- Returns 1 if the next reminder was scheduled, else 0.
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('SREM', KEYS[3], ARGV[1]) == 1 and ARGV[2] ~= '' then
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
  redis.call('SADD', KEYS[3], ARGV[2])
  return 1
end
return 0
