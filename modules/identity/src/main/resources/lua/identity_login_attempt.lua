-- Admits or refuses a login attempt for an account, before its password is checked. Atomic, so parallel guesses
-- are counted one by one: while the account is locked every attempt is refused; otherwise the attempt is counted,
-- and from the 5th attempt in the window the account is locked for 30 s, doubling with each further attempt up to
-- 15 minutes. The attempt that sets the lock still goes on to its password check. The window (15 minutes)
-- restarts with each attempt; a successful login deletes the hash.
-- KEYS[1] the account's attempt hash (fields count, lockedUntil)
-- ARGV[1] now (ms)   ARGV[2] window (s)
-- Returns {refusedUntil, lockedUntil}: {end of the lock (ms), 0} when the attempt is refused; {0, 0} when it may go
-- on; {0, end of the new lock (ms)} when it may go on and has just locked the account (the 5th attempt and each
-- one after a lock ran out).
local now = tonumber(ARGV[1])
local lockedUntil = tonumber(redis.call('HGET', KEYS[1], 'lockedUntil') or '0')
if lockedUntil > now then
  return {lockedUntil, 0}
end
local count = redis.call('HINCRBY', KEYS[1], 'count', 1)
redis.call('EXPIRE', KEYS[1], ARGV[2])
if count >= 5 then
  local lockMs = math.min(30000 * (2 ^ (count - 5)), 900000)
  redis.call('HSET', KEYS[1], 'lockedUntil', now + lockMs)
  return {0, now + lockMs}
end
return {0, 0}
