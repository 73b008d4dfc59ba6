-- Changes channel fields (name, topic, description, archived) and logs channel.updated with the given JSON.
-- KEYS[1] channel hash
-- ARGV[1] channel id  ARGV[2] log max length  ARGV[3] channel.updated data JSON ('{"channel":{...},"by":...}')
-- ARGV[4..] field, value pairs
-- Returns {'ok', eventJson} | {'err', code, message}
local ch = KEYS[1]
if redis.call('EXISTS', ch) == 0 then
  return {'err', 'not_found', 'No such channel'}
end
local fields = {}
for i = 4, #ARGV do
  fields[#fields + 1] = ARGV[i]
end
if #fields > 0 then
  redis.call('HSET', ch, unpack(fields))
end
local _, event = log_event(ch, ARGV[1], 'channel.updated', ARGV[3], ARGV[2])
return {'ok', event}
