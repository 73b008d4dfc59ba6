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

-- ---------------------------------------------------------------- stored renderings
-- The channel's hash <channel>:json holds, per message seq, the message in its wire shape (the shape
-- MessageReader.toJson builds from the message hash's fields), so that a page of history is one HMGET, read and sent
-- without decoding anything and without a script. Every script that changes a field shown there renders the message
-- again (store_rendering). Numbers are copied from the hash as text and arrays are written by hand: cjson would turn
-- an empty array into {} and large numbers into 1e+14.

-- A JSON string, or null for a missing field.
local function json_or_null(value)
  if value then
    return cjson.encode(value)
  end
  return 'null'
end

local function present(value)
  return value and value ~= ''
end

-- Java's String order (UTF-16 code units), used for ties in the reactions' order: UTF-8 bytes order characters
-- beyond U+FFFF (4-byte, lead F0-F4) after U+E000-U+FFFF (lead EE-EF); UTF-16 puts them before (surrogates).
local function java_less(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then
      if x >= 240 and (y == 238 or y == 239) then
        return true
      end
      if y >= 240 and (x == 238 or x == 239) then
        return false
      end
      return x < y
    end
  end
  return #a < #b
end

-- The stored {emoji: [userIds]} as [{emoji, count, userIds}], most used first, then by emoji.
local function render_reactions(stored)
  if not present(stored) or stored == '{}' then
    return '[]'
  end
  local list = {}
  for emoji, users in pairs(cjson.decode(stored)) do
    list[#list + 1] = {emoji = emoji, users = users}
  end
  table.sort(list, function(a, b)
    if #a.users ~= #b.users then
      return #a.users > #b.users
    end
    return java_less(a.emoji, b.emoji)
  end)
  local out = {}
  for i, r in ipairs(list) do
    local ids = {}
    for j, u in ipairs(r.users) do
      ids[j] = cjson.encode(u)
    end
    out[i] = '{"emoji":' .. cjson.encode(r.emoji) .. ',"count":' .. #r.users .. ',"userIds":['
      .. table.concat(ids, ',') .. ']}'
  end
  return '[' .. table.concat(out, ',') .. ']'
end

-- The wire shape of the message in hash mkey (which exists), rendered from its fields.
local function render_message(mkey, channel_id)
  local h = redis.call('HMGET', mkey, 'id', 'seq', 'authorId', 'clientMsgId', 'text', 'createdAt', 'editedAt',
    'threadRootId', 'replyCount', 'lastReplyAt', 'mentions', 'mentionsChannel', 'reactions', 'deleted', 'deletedAt')
  local parts = {'{"id":', json_or_null(h[1]), ',"channelId":', cjson.encode(channel_id), ',"seq":', h[2] or '0',
    ',"authorId":', json_or_null(h[3]), ',"clientMsgId":', json_or_null(h[4]), ',"text":', cjson.encode(h[5] or ''),
    ',"createdAt":', json_or_null(h[6])}
  if present(h[7]) then
    parts[#parts + 1] = ',"editedAt":' .. cjson.encode(h[7])
  end
  if present(h[8]) then
    parts[#parts + 1] = ',"threadRootId":' .. cjson.encode(h[8])
  end
  parts[#parts + 1] = ',"replyCount":' .. (present(h[9]) and h[9] or '0')
  if present(h[10]) then
    parts[#parts + 1] = ',"lastReplyAt":' .. cjson.encode(h[10])
  end
  parts[#parts + 1] = ',"mentions":' .. (present(h[11]) and h[11] or '[]')
  parts[#parts + 1] = ',"mentionsChannel":' .. (h[12] == '1' and 'true' or 'false')
  parts[#parts + 1] = ',"reactions":' .. render_reactions(h[13])
  if h[14] == '1' then
    parts[#parts + 1] = ',"deleted":true,"deletedAt":' .. json_or_null(h[15])
  end
  parts[#parts + 1] = '}'
  return table.concat(parts)
end

-- Renderings are also kept by block (MessageReader.BLOCK): field 'b<k>' of the json hash holds the renderings of
-- seqs k*BLOCK+1 .. (k+1)*BLOCK joined by newlines (a rendering never holds a raw newline: JSON escapes it), so that
-- a history page reads a few fields, not fifty. A block is written only whole, from the renderings as they are
-- then, and written again (or dropped) whenever one of its renderings is stored again; MessageReader asks for a
-- missing one to be built.
local RENDERING_BLOCK = 10

-- Builds block k of the channel's renderings if all of its renderings are stored: if it is not there already, or,
-- with replace, in place of the one there (dropped if the block is no longer whole).
local function build_block(channel_key, k, replace)
  local json_key = key_of(channel_key, 'json')
  local field = 'b' .. k
  if not replace and redis.call('HEXISTS', json_key, field) == 1 then
    return
  end
  local seqs = {}
  for i = 1, RENDERING_BLOCK do
    seqs[i] = k * RENDERING_BLOCK + i
  end
  local parts = redis.call('HMGET', json_key, unpack(seqs))
  for i = 1, RENDERING_BLOCK do
    if not parts[i] then
      if replace then
        redis.call('HDEL', json_key, field)
      end
      return
    end
  end
  redis.call('HSET', json_key, field, table.concat(parts, '\n'))
end

-- Renders message seq of the channel again and stores the rendering in the channel's json hash; returns it. Drops
-- the field json that message hashes held before the renderings moved to one hash per channel. The block that held
-- the former rendering is written again with the new one (dropped if the block is not whole), so that pages keep
-- reading it in one field while a busy channel's newest messages are reacted to.
local function store_rendering(channel_key, seq, channel_id)
  local mkey = key_of(channel_key, 'm:' .. seq)
  local json = render_message(mkey, channel_id)
  local json_key = key_of(channel_key, 'json')
  redis.call('HSET', json_key, seq, json)
  build_block(channel_key, math.floor((tonumber(seq) - 1) / RENDERING_BLOCK), true)
  redis.call('HDEL', mkey, 'json')
  return json
end

-- Publishes an event on the channel's topic when the caller gave one ('' : the caller publishes it itself).
local function publish_event(topic, event)
  if topic ~= '' then
    redis.call('PUBLISH', topic, event)
  end
end
