-- Sends a message: dedupes on (author, clientMsgId), assigns the next seq, stores the message, updates the thread
-- root, records mentions, moves the author's read marker, and logs message.new. All or nothing.
-- KEYS[1] channel hash
-- ARGV[1] channel id  ARGV[2] author id  ARGV[3] clientMsgId  ARGV[4] message id  ARGV[5] created-at (ISO)
-- ARGV[6] text  ARGV[7] thread root message id or ''  ARGV[8] mentions JSON array text  ARGV[9] '1' if @channel
-- ARGV[10] implicit member '1'/'0'  ARGV[11] log max length  ARGV[12] dedupe seconds
-- ARGV[13] the channel's pub/sub topic ('' : the caller publishes message.new itself)
-- ARGV[14] n mentioned user ids, then the ids
-- Stores the message's rendering (the channel's json hash) and renders the thread root again (its reply count changed).
-- Returns {'ok', messageJson, eventJson ('' when published here), offset} | {'dup', seq} | {'err', code, message}
local ch = KEYS[1]
local refused = check_writable(ch, ARGV[2], ARGV[10])
if refused then
  return refused
end
local dedupe = key_of(ch, 'dedupe:' .. ARGV[2] .. ':' .. ARGV[3])
local previous = redis.call('GET', dedupe)
if previous then
  -- Written again so that a WAIT after this script (redisWaitReplicas) also covers the first send: replication
  -- keeps the order of writes.
  redis.call('SET', dedupe, previous, 'KEEPTTL')
  return {'dup', previous}
end
local root_seq = nil
local thread_json = ''
if ARGV[7] ~= '' then
  root_seq = redis.call('HGET', key_of(ch, 'ids'), ARGV[7])
  if not root_seq then
    return {'err', 'not_found', 'No such thread root message'}
  end
  local root_key = key_of(ch, 'm:' .. root_seq)
  local root = redis.call('HMGET', root_key, 'threadRootId', 'deleted')
  if root[1] and root[1] ~= '' then
    return {'err', 'bad_request', 'Reply to the thread root, not to a reply'}
  end
  if root[2] == '1' then
    return {'err', 'not_found', 'The thread root was deleted'}
  end
end
local seq = redis.call('HINCRBY', ch, 'seq', 1)
local mkey = key_of(ch, 'm:' .. seq)
-- The same shape as render_message gives for a new message (MessageReader.toJson's).
local message = '{"id":' .. cjson.encode(ARGV[4]) .. ',"channelId":' .. cjson.encode(ARGV[1]) .. ',"seq":' .. seq
  .. ',"authorId":' .. cjson.encode(ARGV[2]) .. ',"clientMsgId":' .. cjson.encode(ARGV[3])
  .. ',"text":' .. cjson.encode(ARGV[6]) .. ',"createdAt":' .. cjson.encode(ARGV[5])
  .. (ARGV[7] ~= '' and (',"threadRootId":' .. cjson.encode(ARGV[7])) or '')
  .. ',"replyCount":0,"mentions":' .. ARGV[8] .. ',"mentionsChannel":' .. (ARGV[9] == '1' and 'true' or 'false')
  .. ',"reactions":[]}'
redis.call('HSET', mkey, 'id', ARGV[4], 'seq', seq, 'authorId', ARGV[2], 'clientMsgId', ARGV[3],
  'text', ARGV[6], 'createdAt', ARGV[5], 'threadRootId', ARGV[7], 'mentions', ARGV[8], 'mentionsChannel', ARGV[9])
redis.call('HSET', key_of(ch, 'json'), seq, message)
if seq % RENDERING_BLOCK == 0 then
  build_block(ch, seq / RENDERING_BLOCK - 1)
end
redis.call('HSET', key_of(ch, 'ids'), ARGV[4], seq)
redis.call('SET', dedupe, seq, 'EX', ARGV[12])
redis.call('HSET', ch, 'lastMessageAt', ARGV[5])
if root_seq then
  local root_key = key_of(ch, 'm:' .. root_seq)
  local count = redis.call('HINCRBY', root_key, 'replyCount', 1)
  redis.call('HSET', root_key, 'lastReplyAt', ARGV[5])
  redis.call('RPUSH', key_of(ch, 'thread:' .. root_seq), seq)
  store_rendering(ch, root_seq, ARGV[1])
  thread_json = ',"thread":{"rootId":' .. cjson.encode(ARGV[7]) .. ',"rootSeq":' .. root_seq .. ',"replyCount":' .. count
    .. ',"lastReplyAt":' .. cjson.encode(ARGV[5]) .. '}'
end
local n = tonumber(ARGV[14])
for i = 15, 14 + n do
  if ARGV[i] ~= ARGV[2] then
    redis.call('ZADD', key_of(ch, 'mentions:' .. ARGV[i]), seq, seq)
  end
end
if ARGV[9] == '1' then
  redis.call('ZADD', key_of(ch, 'mentions:*'), seq, seq)
end
-- Writing in a channel means having seen it: the author's read marker moves to their message.
redis.call('HSET', key_of(ch, 'read'), ARGV[2], seq)
local offset, event = log_event(ch, ARGV[1], 'message.new', '{"message":' .. message .. thread_json .. '}', ARGV[11])
publish_event(ARGV[13], event)
if ARGV[13] ~= '' then
  -- published here: the caller does not need the event's text
  event = ''
end
return {'ok', message, event, offset}
