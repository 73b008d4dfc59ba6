-- Decides whether a push goes now or is coalesced into the window already open for its group.
-- One user's keys only (Redis Cluster: the user's slot). The caller adds the window to the due set
-- (NotificationKeys.due, another slot) when this returns 'send'.
-- KEYS[1] the window's hash
-- ARGV[1] window ms  ARGV[2] label  ARGV[3] url
-- Returns 'send' (a window opens: push now) or 'hold' (counted; a summary is pushed when the window ends).
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HINCRBY', KEYS[1], 'held', 1)
  redis.call('HSET', KEYS[1], 'label', ARGV[2], 'url', ARGV[3])
  return 'hold'
end
redis.call('HSET', KEYS[1], 'held', 0, 'label', ARGV[2], 'url', ARGV[3])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) * 2)
return 'send'
