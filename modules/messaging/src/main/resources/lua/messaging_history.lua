-- The fallback of a history page (MessageReader): renders the messages whose seq had no stored rendering in the
-- channel's json hash (messages stored before renderings were kept there), and stores their renderings.
-- KEYS[1] channel hash
-- ARGV[1] channel id  ARGV[2..] seqs
-- Returns, per seq asked and in that order, its rendering, or '' when the message does not exist
local ch = KEYS[1]
local out = {}
for i = 2, #ARGV do
  local json = ''
  if redis.call('EXISTS', key_of(ch, 'm:' .. ARGV[i])) == 1 then
    json = store_rendering(ch, ARGV[i], ARGV[1])
  end
  out[#out + 1] = json
end
return out
