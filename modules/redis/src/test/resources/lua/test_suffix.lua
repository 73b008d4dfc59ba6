-- Writes and reads a key derived from KEYS[1] by suffix (same hash tag).
-- KEYS[1] a tagged key   ARGV[1] a value
redis.call('SET', KEYS[1] .. ':x', ARGV[1])
return redis.call('GET', KEYS[1] .. ':x')
