-- Shared helpers of the messaging scripts (prepended to each script by LuaScript.withLibrary).
-- Every script works on the keys of ONE channel, all under the channel's hash tag {c:<id>}; keys derived here
-- from KEYS[1] (the channel hash) keep that tag, so the scripts stay in one Redis Cluster slot.
--
-- Channel hash fields used here: seq (last message seq), offset (last log offset), archived ('1' or absent),
-- kind, implicit ('1' for network and organisation channels, whose members are not listed).

local function key_of(channel_key, suffix)
  return channel_key .. ':' .. suffix
end

-- Appends an event to the channel's log and returns its offset and its JSON.
-- fields_json is the event's data without channelId and offset, as a JSON object text ('{...}' or '{}').
local function log_event(channel_key, channel_id, ev, fields_json, log_max)
  local offset = redis.call('HINCRBY', channel_key, 'offset', 1)
  local head = '{"ev":' .. cjson.encode(ev) .. ',"data":{"channelId":' .. cjson.encode(channel_id) .. ',"offset":' .. offset
  local rest = string.sub(fields_json, 2)
  local json
  if rest == '}' then
    json = head .. '}}'
  else
    json = head .. ',' .. rest .. '}'
  end
  redis.call('XADD', key_of(channel_key, 'log'), 'MAXLEN', '~', log_max, offset .. '-0', 'e', json)
  return offset, json
end

-- 'ok' when the user may write to the channel: listed as a member, or implicit_member given by the caller for
-- network and organisation channels (membership decided by who the user is, checked before the call).
local function check_member(channel_key, user_id, implicit_member)
  if redis.call('HGET', channel_key, 'implicit') == '1' then
    if implicit_member == '1' then
      return 'ok'
    end
    return 'forbidden'
  end
  if redis.call('HEXISTS', key_of(channel_key, 'members'), user_id) == 1 then
    return 'ok'
  end
  return 'forbidden'
end

-- The common checks before writing: the channel exists, is not archived, and the user is a member.
-- Returns nil when all pass, else the script's error reply.
local function check_writable(channel_key, user_id, implicit_member)
  if redis.call('EXISTS', channel_key) == 0 then
    return {'err', 'not_found', 'No such channel'}
  end
  if redis.call('HGET', channel_key, 'archived') == '1' then
    return {'err', 'forbidden', 'This channel is archived'}
  end
  if check_member(channel_key, user_id, implicit_member) ~= 'ok' then
    return {'err', 'forbidden', 'You are not a member of this channel'}
  end
  return nil
end

-- The seq and hash key of a message that exists and is not deleted; or nil and the error reply.
local function live_message(channel_key, message_id)
  local seq = redis.call('HGET', key_of(channel_key, 'ids'), message_id)
  if not seq then
    return nil, nil, {'err', 'not_found', 'No such message'}
  end
  local mkey = key_of(channel_key, 'm:' .. seq)
  if redis.call('HGET', mkey, 'deleted') == '1' then
    return nil, nil, {'err', 'not_found', 'This message was deleted'}
  end
  return seq, mkey, nil
end

-- Forgets the mentions a message made (before an edit replaces them, or when it is deleted), so that mention
-- counts only count what is still there.
local function forget_mentions(channel_key, mkey, seq)
  local m = redis.call('HMGET', mkey, 'mentions', 'mentionsChannel')
  if m[1] and m[1] ~= '' and m[1] ~= '[]' then
    for _, user in ipairs(cjson.decode(m[1])) do
      redis.call('ZREM', key_of(channel_key, 'mentions:' .. user), seq)
    end
  end
  if m[2] == '1' then
    redis.call('ZREM', key_of(channel_key, 'mentions:*'), seq)
  end
end
