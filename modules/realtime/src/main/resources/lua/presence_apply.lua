-- Applies presence actions to users, then settles each user's status, atomically. The statuses last announced
-- are kept in the user's state, and a change is reported only to the call that makes it (compare-and-set): when
-- several nodes act on the same user at once, each change is announced once.
--
-- KEYS[1]  the users due for a re-check (zset: user id -> epoch ms)
-- then, for the i-th user (i from 0):
--   KEYS[2+4i] live sessions (zset: connection id -> expiry ms)
--   KEYS[3+4i] sessions closed recently (zset: connection id -> forget-at ms); a late heartbeat cannot revive them
--   KEYS[4+4i] what the user chose (hash: status away|dnd, hidden 1)
--   KEYS[5+4i] state (hash: status, public, activeAt, seenAt, graceUntil, ver)
-- ARGV[1] session lifetime ms   ARGV[2] away after ms without activity   ARGV[3] offline grace ms
-- ARGV[4] state lifetime ms
-- then, for each user in KEYS order: user id, action, argument count, arguments...
--   connect <connection id>      a session connected (counts as activity), unless already closed
--   disconnect <connection id>   a session closed; if it was live, the user stays live for the grace
--   beat <connection id>...      these sessions are alive (closed ones stay closed)
--   active                       the user did something
--   set <status> <hidden>        status online (auto, and active now) | auto | away | dnd | -   hidden 1 | 0 | -
--   check                        settle only
-- Time is Redis's own clock, the same for every node.
-- Returns, for each user, 9 strings: user id, status, public status, last seen (ms or ''), changes (bits: 1 status,
-- 2 public status, 4 choices), hidden (1|0), chosen status (auto|away|dnd), live session count, and the user's
-- version: a number raised by every call that changes something (0 when nothing changed), so that whoever
-- receives two announcements of one user out of order can tell the newer.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local sessionMs = tonumber(ARGV[1])
local awayMs = tonumber(ARGV[2])
local graceMs = tonumber(ARGV[3])
local stateMs = tonumber(ARGV[4])
local due = KEYS[1]
local out = {}
local a = 5
local k = 2
while a <= #ARGV do
  local uid, action, n = ARGV[a], ARGV[a + 1], tonumber(ARGV[a + 2])
  local sessions, closed, chosen, state = KEYS[k], KEYS[k + 1], KEYS[k + 2], KEYS[k + 3]
  local first = a + 3
  local changes = 0
  local written = false

  if action == 'connect' then
    -- A connection id is never reused: closed already means this connect arrived after its own disconnect.
    if not redis.call('ZSCORE', closed, ARGV[first]) then
      redis.call('ZADD', sessions, now + sessionMs, ARGV[first])
      redis.call('PEXPIRE', sessions, sessionMs)
      redis.call('HSET', state, 'activeAt', now, 'seenAt', now)
      written = true
    end
  elseif action == 'disconnect' then
    redis.call('ZADD', closed, now + sessionMs, ARGV[first])
    redis.call('PEXPIRE', closed, sessionMs)
    -- Only a session that was live opens a grace: closing an unknown one must not make the user live.
    if redis.call('ZREM', sessions, ARGV[first]) == 1 then
      redis.call('HSET', state, 'seenAt', now, 'graceUntil', now + graceMs)
      written = true
    end
  elseif action == 'beat' then
    redis.call('ZREMRANGEBYSCORE', closed, '-inf', now)
    for i = first, first + n - 1 do
      if not redis.call('ZSCORE', closed, ARGV[i]) then
        redis.call('ZADD', sessions, now + sessionMs, ARGV[i])
        written = true
      end
    end
    if written then
      redis.call('PEXPIRE', sessions, sessionMs)
      redis.call('HSET', state, 'seenAt', now)
    end
  elseif action == 'active' then
    redis.call('HSET', state, 'activeAt', now, 'seenAt', now)
    written = true
  elseif action == 'set' then
    local before = redis.call('HMGET', chosen, 'status', 'hidden')
    local status, hidden = ARGV[first], ARGV[first + 1]
    if status == 'away' or status == 'dnd' then
      redis.call('HSET', chosen, 'status', status)
    elseif status == 'auto' or status == 'online' then
      redis.call('HDEL', chosen, 'status')
    end
    if status == 'online' then
      redis.call('HSET', state, 'activeAt', now)
      written = true
    end
    if hidden == '1' then
      redis.call('HSET', chosen, 'hidden', '1')
    elseif hidden == '0' then
      redis.call('HDEL', chosen, 'hidden')
    end
    local after = redis.call('HMGET', chosen, 'status', 'hidden')
    if before[1] ~= after[1] or before[2] ~= after[2] then
      changes = 4
    end
  end

  -- Settle: the user is live while a session has not expired, or within the grace after a session closed.
  redis.call('ZREMRANGEBYSCORE', sessions, '-inf', now)
  local count = redis.call('ZCARD', sessions)
  local liveUntil = 0
  if count > 0 then
    liveUntil = tonumber(redis.call('ZRANGE', sessions, -1, -1, 'WITHSCORES')[2])
  end
  local s = redis.call('HMGET', state, 'status', 'public', 'activeAt', 'seenAt', 'graceUntil')
  local graceUntil = tonumber(s[5]) or 0
  if graceUntil > liveUntil then
    liveUntil = graceUntil
  end
  local c = redis.call('HMGET', chosen, 'status', 'hidden')
  local choice = c[1] or 'auto'
  local hidden = c[2] == '1'
  local status = 'offline'
  local nextCheck = liveUntil
  if liveUntil > now then
    if choice ~= 'auto' then
      status = choice
    else
      local awayAt = (tonumber(s[3]) or now) + awayMs
      if awayAt <= now then
        status = 'away'
      else
        status = 'online'
        if awayAt < nextCheck then
          nextCheck = awayAt
        end
      end
    end
  end
  local public = status
  if hidden then
    public = 'offline'
  end
  if status ~= (s[1] or 'offline') then
    redis.call('HSET', state, 'status', status)
    changes = changes + 1
    written = true
  end
  if public ~= (s[2] or 'offline') then
    redis.call('HSET', state, 'public', public)
    changes = changes + 2
    written = true
  end
  local ver = 0
  if changes ~= 0 then
    -- Redis's clock in ms, or one more than the last version if that is ahead: rises with every change, and keeps
    -- rising after the state was lost (a failover that dropped the last writes, a flush), so a version remembered
    -- by a gateway does not make a new change look old (unless a replica's clock is behind its primary's)
    ver = math.max((tonumber(redis.call('HGET', state, 'ver')) or 0) + 1, now)
    redis.call('HSET', state, 'ver', string.format('%d', ver))
    written = true
  end
  if liveUntil > now then
    redis.call('ZADD', due, nextCheck, uid)
  else
    redis.call('ZREM', due, uid)
  end
  if written then
    redis.call('PEXPIRE', state, stateMs)
  end

  out[#out + 1] = uid
  out[#out + 1] = status
  out[#out + 1] = public
  out[#out + 1] = s[4] or ''
  out[#out + 1] = tostring(changes)
  out[#out + 1] = hidden and '1' or '0'
  out[#out + 1] = choice
  out[#out + 1] = tostring(count)
  out[#out + 1] = string.format('%d', ver)
  a = first + n
  k = k + 4
end
return out
