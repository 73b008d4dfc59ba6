-- Shared helpers of the partnership scripts (prepended to each script by LuaScript.withLibrary).
-- Every key of the module is under the hash tag {ptn}; ARGV[1] of every script is the key prefix 'relais:{ptn}:'
-- and the helpers build the module's keys from it exactly as PartnershipKeys does, so the scripts stay in one
-- Redis Cluster slot.
-- @key-root ARGV[1]
--
-- Request hash fields used here: state, version, fromOrgId, toOrgId, updatedAt, expiresAtMs, acceptedBy, focalTo,
-- the counter-proposal's terms (cPurpose, cThemes, cJointAction, cFocalFrom, cFocalTo, cBy, cAt), channelId.

local function req_key(P, id)
  return P .. 'req:' .. id
end

local function pair_key(P, from, to)
  return P .. 'open:' .. from .. ':' .. to
end

local function partners_key(P, org)
  return P .. 'org:' .. org .. ':partners'
end

local function is_open(state)
  return state == 'pending' or state == 'countered'
end

-- The request leaves pending/countered: the pair may be asked again, and no deadline or notice remains.
local function close_open(P, id, rk)
  local orgs = redis.call('HMGET', rk, 'fromOrgId', 'toOrgId')
  local pair = pair_key(P, orgs[1], orgs[2])
  if redis.call('GET', pair) == id then
    redis.call('DEL', pair)
  end
  redis.call('ZREM', P .. 'deadlines', id)
  redis.call('ZREM', P .. 'notices', id)
end

-- A counter-proposal is no longer pending (accepted, declined, withdrawn or expired); the trail keeps its terms.
local function clear_counter(rk)
  redis.call('HDEL', rk, 'cPurpose', 'cThemes', 'cJointAction', 'cFocalFrom', 'cFocalTo', 'cBy', 'cAt')
end

-- Records a new state: the state, updatedAt, one trail entry, version + 1. Returns the new version.
local function record(rk, state, now, trail_entry)
  redis.call('HSET', rk, 'state', state, 'updatedAt', now)
  redis.call('RPUSH', rk .. ':trail', trail_entry)
  return redis.call('HINCRBY', rk, 'version', 1)
end

-- What the scripts reply with: the request hash (flat), its trail, its number of comments.
local function snapshot(rk)
  return {redis.call('HGETALL', rk), redis.call('LRANGE', rk .. ':trail', 0, -1), redis.call('LLEN', rk .. ':comments')}
end

local function reply(status, rk)
  local s = snapshot(rk)
  return {status, s[1], s[2], s[3]}
end
