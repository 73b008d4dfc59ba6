-- Builds blocks of a channel's renderings that a history page found missing (MessageReader): each is written only
-- if all of its renderings are stored (messaging_lib.lua, build_block).
-- KEYS[1] channel hash
-- ARGV[1..] block numbers
local ch = KEYS[1]
for i = 1, #ARGV do
  build_block(ch, tonumber(ARGV[i]))
end
return 0
