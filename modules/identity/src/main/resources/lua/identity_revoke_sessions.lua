-- Revokes login sessions: one (ARGV[3] set) or every session of the user (ARGV[3] empty).
-- KEYS[1] the user's sessions (set)
-- ARGV[1] session key prefix   ARGV[2] user id   ARGV[3] session id, or ''
-- @key-root ARGV[1]
-- Returns the revoked session ids.
local sids
if ARGV[3] ~= '' then
  sids = {ARGV[3]}
else
  sids = redis.call('SMEMBERS', KEYS[1])
end
local revoked = {}
for _, sid in ipairs(sids) do
  local skey = ARGV[1] .. sid
  if redis.call('HGET', skey, 'userId') == ARGV[2] then
    for _, k in ipairs(redis.call('SMEMBERS', skey .. ':tokens')) do
      redis.call('DEL', k)
    end
    redis.call('DEL', skey, skey .. ':tokens')
    revoked[#revoked + 1] = sid
  end
  redis.call('SREM', KEYS[1], sid)
end
return revoked
