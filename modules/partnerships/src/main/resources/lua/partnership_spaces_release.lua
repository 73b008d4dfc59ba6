-- After a failed opening: releases the caller's lease and sets when the sweeper tries again (if the request is still
-- waiting for its spaces).
-- KEYS[1] the request hash  KEYS[2] the spaces queue
-- ARGV[1] key prefix  ARGV[2] request id  ARGV[3] the caller's token  ARGV[4] next try (epoch ms)
-- Returns 1
if redis.call('GET', KEYS[1] .. ':spaces') == ARGV[3] then
  redis.call('DEL', KEYS[1] .. ':spaces')
end
redis.call('ZADD', KEYS[2], 'XX', ARGV[4], ARGV[2])
return 1
