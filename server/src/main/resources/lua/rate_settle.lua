-- Takes reads a node has already served on its share of their budgets (ReadShares) from those budgets, as
-- rate_limit.lua would have (GCRA, Redis's clock), whether or not the budgets still had room: the reads were
-- served, so a budget may end in debt (its next refusal asks to wait longer). A key that is not a budget (a fault:
-- another type, or a string that is not a number) is left alone and reported as holding nothing, so that the node checks those reads in Redis (rate_limit.lua,
-- which fails on it: fail-closed), and the other budgets of the call are still settled.
-- KEYS[1], ..., KEYS[n]  the budgets' keys (all share the {rl} hash tag)
-- ARGV[3i-2] limit (units per period)   ARGV[3i-1] period (ms)   ARGV[3i] units served
-- Returns {when, left_1, ..., left_n}: Redis's clock in µs, and the units each budget holds after the take (0 when
-- spent, in debt or not a budget), from which the node draws its next share.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local reply = {tonumber(t[1]) * 1000000 + tonumber(t[2])}
for i = 1, #KEYS do
  local limit = tonumber(ARGV[3 * i - 2])
  local period = tonumber(ARGV[3 * i - 1])
  local units = tonumber(ARGV[3 * i])
  local stored = redis.pcall('GET', KEYS[i])
  if (type(stored) == 'table' and stored.err) or (stored and not tonumber(stored)) then
    reply[i + 1] = 0
  else
    local tat = tonumber(stored) or now
    if tat < now then
      tat = now
    end
    local next = tat + units * period / limit
    redis.call('SET', KEYS[i], string.format('%.3f', next), 'PX', math.max(1, math.ceil(next - now)))
    reply[i + 1] = math.max(0, math.floor((now + period - next) * limit / period))
  end
end
return reply
