-- Saves one or more event series of ONE calendar, all or nothing. Each write checks the series' version
-- (optimistic concurrency: a save made meanwhile makes this one fail with conflict, and nothing is written),
-- replaces the series' hash, sets its next version, indexes it by first start and last end, and adjusts its answers.
-- KEYS[1] calendar hash
-- ARGV[1] number of writes; then for each write, 7 values and the pairs:
--   event id, expected version ('0': the series must not exist yet), first start (epoch ms), last end (epoch ms or
--   '+inf'), answers action, time of the change (ISO), number of field/value pairs, then the pairs.
--   Answers actions: 'keep'; 'reask' (accepted answers become needs-action, asked again); 'copy:<event id>' or
--   'copyreask:<event id>' (first copy the answers of another series of the same calendar).
-- Returns {'ok', version, reasked user ids (JSON array), version, reasked, ...} in the order of the writes
--       | {'err', code, message}
local cal = KEYS[1]
if redis.call('EXISTS', cal) == 0 then
  return {'err', 'not_found', 'No such calendar'}
end
local count = tonumber(ARGV[1])
local writes = {}
local i = 2
for w = 1, count do
  local pairs_count = tonumber(ARGV[i + 6])
  local fields = {}
  for f = 1, 2 * pairs_count do
    fields[f] = ARGV[i + 6 + f]
  end
  writes[w] = {id = ARGV[i], expected = ARGV[i + 1], start_ms = ARGV[i + 2], end_ms = ARGV[i + 3],
    answers = ARGV[i + 4], at = ARGV[i + 5], fields = fields}
  i = i + 7 + 2 * pairs_count
end
for _, w in ipairs(writes) do
  local current = redis.call('HGET', key_of(cal, 'e:' .. w.id), 'seq') or '0'
  if current ~= w.expected then
    return {'err', 'conflict', 'The event was changed meanwhile; reload it and try again'}
  end
end
local out = {'ok'}
for _, w in ipairs(writes) do
  local event_key = key_of(cal, 'e:' .. w.id)
  local version = tonumber(w.expected) + 1
  redis.call('DEL', event_key)
  redis.call('HSET', event_key, 'seq', version, unpack(w.fields))
  redis.call('ZADD', key_of(cal, 'by-start'), w.start_ms, w.id)
  redis.call('ZADD', key_of(cal, 'by-end'), w.end_ms, w.id)
  local answers_key = key_of(cal, 'e:' .. w.id .. ':rsvp')
  local action = w.answers
  local colon = string.find(action, ':', 1, true)
  if colon then
    local source = string.sub(action, colon + 1)
    action = string.sub(action, 1, colon - 1)
    local copied = redis.call('HGETALL', key_of(cal, 'e:' .. source .. ':rsvp'))
    for j = 1, #copied, 2 do
      redis.call('HSET', answers_key, copied[j], copied[j + 1])
    end
  end
  local reasked = {}
  if action == 'reask' or action == 'copyreask' then
    local all = redis.call('HGETALL', answers_key)
    for j = 1, #all, 2 do
      local answer = cjson.decode(all[j + 1])
      if answer.status == 'accepted' then
        answer.status = 'needs-action'
        answer.reasked = true
        answer.at = w.at
        redis.call('HSET', answers_key, all[j], cjson.encode(answer))
        table.insert(reasked, all[j])
      end
    end
  end
  table.insert(out, version)
  table.insert(out, json_array(reasked))
end
return out
