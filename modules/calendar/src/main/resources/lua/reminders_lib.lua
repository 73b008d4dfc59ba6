-- Shared helpers of the reminder scripts (prepended to each script by LuaScript.withLibrary). The reminder keys
-- share the hash tag {rem}. A reminder is the string "EVENT_ID|OCCURRENCE_START_MS|MINUTES_BEFORE".

-- Redis's clock, in epoch milliseconds: every node agrees on what is due, whatever its own clock says.
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
