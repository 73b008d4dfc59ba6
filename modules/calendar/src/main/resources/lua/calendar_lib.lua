-- Shared helpers of the calendar scripts (prepended to each script by LuaScript.withLibrary).
-- Every script works on the keys of ONE calendar, all under the calendar's hash tag {k:<id>}; keys derived here
-- from KEYS[1] (the calendar hash) keep that tag, so the scripts stay in one Redis Cluster slot.

local function key_of(calendar_key, suffix)
  return calendar_key .. ':' .. suffix
end

-- A Lua list as a JSON array (cjson writes an empty table as an object).
local function json_array(list)
  if #list == 0 then
    return '[]'
  end
  return cjson.encode(list)
end
