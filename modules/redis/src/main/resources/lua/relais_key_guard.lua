-- Prepended to every script when RedisSettings.checkScripts is on (the test suite): wraps redis.call and
-- redis.pcall so that a command on a key outside the hash tag of KEYS[1] raises an error instead of running.
-- On Redis Cluster such a command fails, or worse, works only while both slots happen to be on one master.
-- Only the key positions of the commands Relais's scripts use are known: every argument for DEL, EXISTS, UNLINK,
-- TOUCH, MGET and the set algebra; the first two for RENAME, SMOVE, LMOVE, RPOPLPUSH, COPY; else the first.
local redis = (function(real)
  local function hashed(key)
    local open = string.find(key, '{', 1, true)
    if open then
      local close = string.find(key, '}', open + 1, true)
      if close and close > open + 1 then
        return string.sub(key, open + 1, close - 1)
      end
    end
    return key
  end
  local home = KEYS[1] and hashed(KEYS[1])
  local keyless = {time = true, ping = true, echo = true, publish = true}
  local all_keys = {del = true, exists = true, unlink = true, touch = true, mget = true, sinter = true, sunion = true,
    sdiff = true, pfcount = true}
  local two_keys = {rename = true, renamenx = true, smove = true, lmove = true, rpoplpush = true, copy = true}
  local function check(cmd, ...)
    local c = string.lower(cmd)
    if keyless[c] then
      return
    end
    local args = {...}
    local last = 1
    if all_keys[c] then
      last = #args
    elseif two_keys[c] then
      last = 2
    end
    for i = 1, math.min(last, #args) do
      local key = tostring(args[i])
      if home == nil or hashed(key) ~= home then
        error('relais key guard: ' .. c .. ' ' .. key .. ' is outside the hash tag of KEYS[1] ('
          .. tostring(KEYS[1]) .. ')')
      end
    end
  end
  return setmetatable({
    call = function(cmd, ...)
      check(cmd, ...)
      return real.call(cmd, ...)
    end,
    pcall = function(cmd, ...)
      check(cmd, ...)
      return real.pcall(cmd, ...)
    end,
  }, {__index = real})
end)(redis)
