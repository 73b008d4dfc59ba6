-- Updates fields of an existing user, keeping the directory name index in step.
-- KEYS[1] the user's hash   KEYS[2] directory name index (sorted set, lex)
-- ARGV[1] n, the number of new name-index entries (0: the name did not change)
-- ARGV[2 .. 1+n] the new entries ("token\0userId"), joined with spaces also stored in field nameIndex
-- ARGV[2+n ..] field, value pairs
-- Returns 1, or 0 when the user does not exist.
if redis.call('EXISTS', KEYS[1]) == 0 then
  return 0
end
local n = tonumber(ARGV[1])
if n > 0 then
  local old = redis.call('HGET', KEYS[1], 'nameIndex')
  if old then
    for entry in string.gmatch(old, '[^\n]+') do
      redis.call('ZREM', KEYS[2], entry)
    end
  end
  local entries = {}
  for i = 2, 1 + n do
    redis.call('ZADD', KEYS[2], 0, ARGV[i])
    entries[#entries + 1] = ARGV[i]
  end
  redis.call('HSET', KEYS[1], 'nameIndex', table.concat(entries, '\n'))
end
local fields = {}
for i = 2 + n, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
if #fields > 0 then
  redis.call('HSET', KEYS[1], unpack(fields))
end
return 1
