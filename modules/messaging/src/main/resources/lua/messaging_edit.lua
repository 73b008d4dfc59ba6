-- Edits or deletes a message, logging message.edited or message.deleted.
-- KEYS[1] channel hash
-- ARGV[1] channel id  ARGV[2] caller id  ARGV[3] message id  ARGV[4] now (ISO)  ARGV[5] 'edit' | 'delete'
-- ARGV[6] new text (edit)  ARGV[7] new mentions JSON (edit)  ARGV[8] '1' if @channel (edit)
-- ARGV[9] '1' when the caller moderates the channel (may delete others' messages)  ARGV[10] implicit member flag
-- ARGV[11] log max length  ARGV[12] the channel's pub/sub topic ('' : the caller publishes the event itself)
-- ARGV[13] n newly mentioned user ids, then the ids
-- Renders the message again (the channel's json hash, see store_rendering).
-- Returns {'ok', eventJson} | {'err', code, message}
local ch = KEYS[1]
local refused
if ARGV[5] == 'delete' and ARGV[9] == '1' then
  -- A moderator need not be a member: a network admin moderates a public channel without joining it.
  if redis.call('EXISTS', ch) == 0 then
    return {'err', 'not_found', 'No such channel'}
  end
  if redis.call('HGET', ch, 'archived') == '1' then
    return {'err', 'forbidden', 'This channel is archived'}
  end
else
  refused = check_writable(ch, ARGV[2], ARGV[10])
end
if refused then
  return refused
end
local seq, mkey, missing = live_message(ch, ARGV[3])
if missing then
  return missing
end
local is_author = redis.call('HGET', mkey, 'authorId') == ARGV[2]
if ARGV[5] == 'edit' then
  if not is_author then
    return {'err', 'forbidden', 'Only the author edits a message'}
  end
  forget_mentions(ch, mkey, seq)
  redis.call('HSET', mkey, 'text', ARGV[6], 'editedAt', ARGV[4], 'mentions', ARGV[7], 'mentionsChannel', ARGV[8])
  store_rendering(ch, seq, ARGV[1])
  local n = tonumber(ARGV[13])
  for i = 14, 13 + n do
    if ARGV[i] ~= ARGV[2] then
      redis.call('ZADD', key_of(ch, 'mentions:' .. ARGV[i]), seq, seq)
    end
  end
  if ARGV[8] == '1' then
    redis.call('ZADD', key_of(ch, 'mentions:*'), seq, seq)
  end
  local _, event = log_event(ch, ARGV[1], 'message.edited', '{"messageId":' .. cjson.encode(ARGV[3]) .. ',"seq":' .. seq
    .. ',"text":' .. cjson.encode(ARGV[6]) .. ',"editedAt":' .. cjson.encode(ARGV[4]) .. ',"mentions":' .. ARGV[7]
    .. ',"mentionsChannel":' .. (ARGV[8] == '1' and 'true' or 'false') .. '}', ARGV[11])
  publish_event(ARGV[12], event)
  return {'ok', event}
end
if not is_author and ARGV[9] ~= '1' then
  return {'err', 'forbidden', 'Only the author or a moderator deletes a message'}
end
forget_mentions(ch, mkey, seq)
redis.call('HSET', mkey, 'text', '', 'deleted', '1', 'deletedAt', ARGV[4], 'mentions', '[]', 'mentionsChannel', '0',
  'reactions', '{}')
store_rendering(ch, seq, ARGV[1])
local _, event = log_event(ch, ARGV[1], 'message.deleted', '{"messageId":' .. cjson.encode(ARGV[3]) .. ',"seq":' .. seq
  .. ',"deletedAt":' .. cjson.encode(ARGV[4]) .. ',"by":' .. cjson.encode(ARGV[2]) .. '}', ARGV[11])
publish_event(ARGV[12], event)
return {'ok', event}
