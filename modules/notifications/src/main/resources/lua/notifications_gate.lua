-- Decides whether a push goes now or is coalesced into the window already open for its group.
-- KEYS[1] the window's hash   KEYS[2] the due windows (sorted set)
-- ARGV[1] window ms  ARGV[2] now ms  ARGV[3] due member ("user|group")  ARGV[4] label  ARGV[5] url
-- Returns 'send' (a window opens: push now) or 'hold' (counted; a summary is pushed when the window ends).
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HINCRBY', KEYS[1], 'held', 1)
  redis.call('HSET', KEYS[1], 'label', ARGV[4], 'url', ARGV[5])
  return 'hold'
end
redis.call('HSET', KEYS[1], 'held', 0, 'label', ARGV[4], 'url', ARGV[5])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]) * 2)
redis.call('ZADD', KEYS[2], tonumber(ARGV[2]) + tonumber(ARGV[1]), ARGV[3])
return 'send'
