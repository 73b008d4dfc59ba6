-- Takes one request from several budgets at once (GCRA, the generic cell rate algorithm): the request is admitted
-- only if every budget has room, and then it is taken from all of them; a refused request takes nothing. A budget
-- of L units per period P lets L units through at once, then one more every P/L. Time is Redis's own clock, so
-- every node counts alike. Each key holds the budget's theoretical arrival time (ms) and expires when the budget
-- is full again.
-- KEYS[1], ..., KEYS[n]  the budgets' keys (all share the {rl} hash tag)
-- ARGV[3i-2] limit (units per period)   ARGV[3i-1] period (ms)   ARGV[3i] units this request takes
-- Returns {0, 0, when, left_1, ..., left_n} when admitted (left_i: the units budget i still holds after this
-- request, from which ReadShares draws a node's share of it; when: Redis's clock in µs, which orders what a node
-- learns of a budget), or {ms to wait, i of the first budget that refused, when}.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local when = tonumber(t[1]) * 1000000 + tonumber(t[2])
local wait = 0
local refusedBy = 0
local tats = {}
for i = 1, #KEYS do
  local limit = tonumber(ARGV[3 * i - 2])
  local period = tonumber(ARGV[3 * i - 1])
  local cost = tonumber(ARGV[3 * i])
  local tat = tonumber(redis.call('GET', KEYS[i]) or now)
  if tat < now then
    tat = now
  end
  local next = tat + cost * period / limit
  local allowAt = next - period
  if allowAt > now and allowAt - now > wait then
    wait = allowAt - now
    refusedBy = i
  end
  tats[i] = next
end
if wait > 0 then
  return {math.ceil(wait), refusedBy, when}
end
local reply = {0, 0, when}
for i = 1, #KEYS do
  redis.call('SET', KEYS[i], string.format('%.3f', tats[i]), 'PX', math.max(1, math.ceil(tats[i] - now)))
  local limit = tonumber(ARGV[3 * i - 2])
  local period = tonumber(ARGV[3 * i - 1])
  reply[i + 3] = math.max(0, math.floor((now + period - tats[i]) * limit / period))
end
return reply
