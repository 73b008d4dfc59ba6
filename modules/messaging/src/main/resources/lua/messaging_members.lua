-- Adds or removes members of a channel with listed members, logging member.joined / member.left for each change.
-- KEYS[1] channel hash
-- ARGV[1] channel id  ARGV[2] 'add' | 'remove'  ARGV[3] role for added members  ARGV[4] actor id or ''
-- ARGV[5] reason for removals ('left' | 'kicked')  ARGV[6] log max length  ARGV[7..] user ids
-- Returns {'ok', changedUserId1, eventJson1, changedUserId2, eventJson2, ...} | {'err', code, message}
local ch = KEYS[1]
if redis.call('EXISTS', ch) == 0 then
  return {'err', 'not_found', 'No such channel'}
end
local members = key_of(ch, 'members')
local out = {'ok'}
for i = 7, #ARGV do
  local user = ARGV[i]
  if ARGV[2] == 'add' then
    if redis.call('HSETNX', members, user, ARGV[3]) == 1 then
      redis.call('HINCRBY', ch, 'memberCount', 1)
      local seq = redis.call('HGET', ch, 'seq') or '0'
      redis.call('HSET', key_of(ch, 'read'), user, seq)
      local _, event = log_event(ch, ARGV[1], 'member.joined', '{"userId":' .. cjson.encode(user) .. ',"role":'
        .. cjson.encode(ARGV[3]) .. (ARGV[4] ~= '' and (',"by":' .. cjson.encode(ARGV[4])) or '') .. '}', ARGV[6])
      out[#out + 1] = user
      out[#out + 1] = event
    end
  else
    if redis.call('HDEL', members, user) == 1 then
      redis.call('HINCRBY', ch, 'memberCount', -1)
      redis.call('HDEL', key_of(ch, 'read'), user)
      local _, event = log_event(ch, ARGV[1], 'member.left', '{"userId":' .. cjson.encode(user) .. ',"reason":'
        .. cjson.encode(ARGV[5]) .. (ARGV[4] ~= '' and (',"by":' .. cjson.encode(ARGV[4])) or '') .. '}', ARGV[6])
      out[#out + 1] = user
      out[#out + 1] = event
    end
  end
end
return out
