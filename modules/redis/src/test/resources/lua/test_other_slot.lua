-- Writes a key of another hash tag, built from ARGV (what a script must not do).
-- KEYS[1] a tagged key   ARGV[1] a key of another tag
redis.call('SET', ARGV[1], '1')
return 1
