-- Takes a coalescing window that has ended: reads what it held back and deletes it, in one step, so that a push
-- coalesced at that moment is counted either in this summary or in a new window.
-- KEYS[1] the window's hash
-- Returns {held count, label, url}, or {} when the window is gone.
local g = redis.call('HMGET', KEYS[1], 'held', 'label', 'url')
redis.call('DEL', KEYS[1])
if not g[1] then
  return {}
end
return {g[1], g[2] or '', g[3] or ''}
