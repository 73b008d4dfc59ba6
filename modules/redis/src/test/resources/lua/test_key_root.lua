-- Writes a key built from a declared key root.
-- KEYS[1] a tagged key   ARGV[1] a prefix with the tag of KEYS[1]
-- @key-root ARGV[1]
redis.call('SET', ARGV[1] .. 'x', '1')
return 1
