-- Moves a request to its next state, atomically: checks the state (conflict), whose move it is (forbidden), the
-- deadline (conflict) and the version when given (conflict), then writes the state, the trail entry and what follows:
-- the pair's open marker, the deadline and notice, the counter-proposal's terms, the partner lists, the spaces queue.
-- KEYS[1] the request hash
-- ARGV[1] key prefix  ARGV[2] request id  ARGV[3] action: accept | decline | counter | withdraw | end
-- ARGV[4] the caller's side: from | to  ARGV[5] the caller's user id  ARGV[6] expected version, or ''
-- ARGV[7] now (ISO)  ARGV[8] now (epoch ms)  ARGV[9] the trail entry (JSON)
-- accept only:  ARGV[10] when the spaces are tried again if this caller does not open them (epoch ms)
-- counter only: ARGV[11] new deadline (ISO)  ARGV[12] new deadline (ms)  ARGV[13] expiring notice due (ms; -1: none)
--               ARGV[14..18] the counter-proposal's terms: purpose, themes, jointAction, focalFrom, focalTo
-- Returns {'ok', hash, trail, commentCount}
--       | {'same', hash, trail, commentCount}  (the person who accepted accepts again: nothing is written)
--       | {'err', code, message}
local RULES = {
  accept = {pending = {'to', 'accepted'}, countered = {'from', 'accepted'}},
  decline = {pending = {'to', 'declined'}, countered = {'from', 'declined'}},
  counter = {pending = {'to', 'countered'}},
  withdraw = {pending = {'from', 'withdrawn'}, countered = {'from', 'withdrawn'}},
  ['end'] = {accepted = {'either', 'ended'}},
}
local P, id, action, side, actor = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local now, now_ms = ARGV[7], tonumber(ARGV[8])
local rk = KEYS[1]
local state = redis.call('HGET', rk, 'state')
if not state then
  return {'err', 'not_found', 'No such partnership request'}
end
if action == 'accept' and state == 'accepted' and redis.call('HGET', rk, 'acceptedBy') == actor then
  return reply('same', rk)
end
local rule = RULES[action][state]
if not rule then
  return {'err', 'conflict', 'This request is ' .. state .. ': it cannot be answered that way now'}
end
if rule[1] ~= 'either' and rule[1] ~= side then
  if rule[1] == 'to' then
    return {'err', 'forbidden', 'Only the receiving organisation may do this now'}
  end
  return {'err', 'forbidden', 'Only the requesting organisation may do this now'}
end
if is_open(state) and tonumber(redis.call('HGET', rk, 'expiresAtMs')) <= now_ms then
  return {'err', 'conflict', 'This request has expired'}
end
local version = redis.call('HGET', rk, 'version')
if ARGV[6] ~= '' and ARGV[6] ~= version then
  return {'err', 'conflict', 'The request has changed since version ' .. ARGV[6] .. ' (now ' .. version .. '); reload it'}
end
local to_state = rule[2]
local orgs = redis.call('HMGET', rk, 'fromOrgId', 'toOrgId')
if action == 'counter' then
  redis.call('HSET', rk, 'cPurpose', ARGV[14], 'cThemes', ARGV[15], 'cJointAction', ARGV[16], 'cFocalFrom', ARGV[17],
    'cFocalTo', ARGV[18], 'cBy', actor, 'cAt', now, 'expiresAt', ARGV[11], 'expiresAtMs', ARGV[12])
  redis.call('ZADD', P .. 'deadlines', ARGV[12], id)
  if tonumber(ARGV[13]) >= 0 then
    redis.call('ZADD', P .. 'notices', ARGV[13], id)
  else
    redis.call('ZREM', P .. 'notices', id)
  end
else
  if is_open(state) then
    close_open(P, id, rk)
  end
  if action == 'accept' then
    if state == 'countered' then
      local c = redis.call('HMGET', rk, 'cPurpose', 'cThemes', 'cJointAction', 'cFocalFrom', 'cFocalTo')
      redis.call('HSET', rk, 'purpose', c[1], 'themes', c[2], 'jointAction', c[3], 'focalFrom', c[4], 'focalTo', c[5])
    elseif redis.call('HGET', rk, 'focalTo') == '[]' then
      -- Nobody named on the receiving side: whoever accepts for it becomes its focal point.
      redis.call('HSET', rk, 'focalTo', cjson.encode({actor}))
    end
    redis.call('HSET', rk, 'acceptedBy', actor, 'acceptedAt', now)
    redis.call('HINCRBY', partners_key(P, orgs[1]), orgs[2], 1)
    redis.call('HINCRBY', partners_key(P, orgs[2]), orgs[1], 1)
    redis.call('ZADD', P .. 'spaces', ARGV[10], id)
  elseif action == 'end' then
    for _, pair in ipairs({{orgs[1], orgs[2]}, {orgs[2], orgs[1]}}) do
      local key = partners_key(P, pair[1])
      if redis.call('HINCRBY', key, pair[2], -1) <= 0 then
        redis.call('HDEL', key, pair[2])
      end
    end
    redis.call('HSET', rk, 'endedBy', actor, 'endedAt', now)
    redis.call('ZREM', P .. 'spaces', id)
  end
  if state == 'countered' then
    clear_counter(rk)
  end
end
record(rk, to_state, now, ARGV[9])
return reply('ok', rk)
