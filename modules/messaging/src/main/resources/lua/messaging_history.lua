-- Reads messages as their stored renderings (field json, see store_rendering): a page of history in one reply,
-- nothing to decode. A message stored before renderings were kept is rendered here, and its rendering stored.
-- KEYS[1] channel hash
-- ARGV[1] channel id  ARGV[2] 'range': ARGV[3] first seq, ARGV[4] last seq | 'list': ARGV[3..] seqs
-- Returns the JSON array text of the messages that exist, in the order asked
local ch = KEYS[1]
local seqs = {}
if ARGV[2] == 'range' then
  for s = tonumber(ARGV[3]), tonumber(ARGV[4]) do
    seqs[#seqs + 1] = s
  end
else
  for i = 3, #ARGV do
    seqs[#seqs + 1] = ARGV[i]
  end
end
local out = {}
for _, seq in ipairs(seqs) do
  local mkey = key_of(ch, 'm:' .. seq)
  local json = redis.call('HGET', mkey, 'json')
  if not json and redis.call('EXISTS', mkey) == 1 then
    json = store_rendering(mkey, ARGV[1])
  end
  if json then
    out[#out + 1] = json
  end
end
return '[' .. table.concat(out, ',') .. ']'
