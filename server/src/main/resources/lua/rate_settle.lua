-- Takes reads a node has already served on its share of their budgets (ReadShares) from those budgets, as
-- rate_limit.lua would have (GCRA, Redis's clock), whether or not the budgets still had room: the reads were
-- served. Returns, for each budget, the units left after the take (0 when spent or overspent), from which the node
-- draws its next share.
-- KEYS[i]  the budget's key (all share the {rl} hash tag)
-- ARGV[3i-2] limit (units per period)   ARGV[3i-1] period (ms)   ARGV[3i] units served
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local left = {}
for i = 1, #KEYS do
  local limit = tonumber(ARGV[3 * i - 2])
  local period = tonumber(ARGV[3 * i - 1])
  local units = tonumber(ARGV[3 * i])
  local tat = tonumber(redis.call('GET', KEYS[i]) or now)
  if tat < now then
    tat = now
  end
  local next = tat + units * period / limit
  redis.call('SET', KEYS[i], string.format('%.3f', next), 'PX', math.max(1, math.ceil(next - now)))
  left[i] = math.max(0, math.floor((now + period - next) * limit / period))
end
return left
