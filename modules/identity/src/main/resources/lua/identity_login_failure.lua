-- Counts a failed login for an account and decides how long it is locked.
-- The first 4 failures in the window cost nothing; from the 5th, the account is locked for 30 s, doubling with
-- each further failure up to 15 minutes. The window (15 minutes) restarts with each failure.
-- KEYS[1] the account's failure hash
-- ARGV[1] now (ms)   ARGV[2] window (s)
-- Returns the lock's end (ms), or 0 when not locked.
local count = redis.call('HINCRBY', KEYS[1], 'count', 1)
redis.call('EXPIRE', KEYS[1], ARGV[2])
if count < 5 then
  return 0
end
local lockMs = math.min(30000 * (2 ^ (count - 5)), 900000)
local untilMs = tonumber(ARGV[1]) + lockMs
redis.call('HSET', KEYS[1], 'lockedUntil', untilMs)
return untilMs
