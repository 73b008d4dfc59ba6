-- Adds or removes the caller's reaction to a message, logging reaction.changed when something changed.
-- Reactions live in the message hash, field reactions: a JSON object {emoji: [userId, ...]}.
-- KEYS[1] channel hash
-- ARGV[1] channel id  ARGV[2] user id  ARGV[3] message id  ARGV[4] emoji  ARGV[5] 'add' | 'remove'
-- ARGV[6] max distinct reactions per message  ARGV[7] implicit member flag  ARGV[8] log max length
-- ARGV[9] the channel's pub/sub topic ('' : the caller publishes the event itself)
-- Renders the message again (the channel's json hash, see store_rendering).
-- Returns {'ok', eventJson or ''} | {'err', code, message}
local ch = KEYS[1]
local refused = check_writable(ch, ARGV[2], ARGV[7])
if refused then
  return refused
end
local seq, mkey, missing = live_message(ch, ARGV[3])
if missing then
  return missing
end
local stored = redis.call('HGET', mkey, 'reactions')
local reactions = {}
if stored and stored ~= '' and stored ~= '{}' then
  reactions = cjson.decode(stored)
end
local users = reactions[ARGV[4]]
local changed = false
if ARGV[5] == 'add' then
  if not users then
    local distinct = 0
    for _ in pairs(reactions) do
      distinct = distinct + 1
    end
    if distinct >= tonumber(ARGV[6]) then
      return {'err', 'conflict', 'This message has the most distinct reactions it can have'}
    end
    users = {}
  end
  local present = false
  for _, u in ipairs(users) do
    if u == ARGV[2] then
      present = true
    end
  end
  if not present then
    users[#users + 1] = ARGV[2]
    reactions[ARGV[4]] = users
    changed = true
  end
else
  if users then
    local kept = {}
    for _, u in ipairs(users) do
      if u ~= ARGV[2] then
        kept[#kept + 1] = u
      else
        changed = true
      end
    end
    if #kept == 0 then
      reactions[ARGV[4]] = nil
    else
      reactions[ARGV[4]] = kept
    end
    users = kept
  end
end
if not changed then
  return {'ok', ''}
end
local encoded = '{}'
if next(reactions) ~= nil then
  encoded = cjson.encode(reactions)
end
redis.call('HSET', mkey, 'reactions', encoded)
store_rendering(ch, seq, ARGV[1])
local count = users and #users or 0
local _, event = log_event(ch, ARGV[1], 'reaction.changed', '{"messageId":' .. cjson.encode(ARGV[3]) .. ',"seq":' .. seq
  .. ',"emoji":' .. cjson.encode(ARGV[4]) .. ',"userId":' .. cjson.encode(ARGV[2]) .. ',"added":'
  .. (ARGV[5] == 'add' and 'true' or 'false') .. ',"count":' .. count .. '}', ARGV[8])
publish_event(ARGV[9], event)
return {'ok', event}
