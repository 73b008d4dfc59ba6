-- Disables or re-enables a user, remembering who disabled them. Disabling also deletes a pending invitation, so
-- that re-enabling an invited user does not bring an old invitation link back to life. A user disabled by a
-- network admin is re-enabled only by a network admin (and stays so when disabled again by an org-admin).
-- Re-enabling a user who is not disabled changes only updatedAt. Users disabled before 'disabledBy' was recorded count
-- as disabled by an org-admin.
-- The invitation key kept in the user's field 'inviteKey' shares the {idn} hash tag of KEYS[1].
-- KEYS[1] the user's hash
-- ARGV[1] '1' to disable, '0' to re-enable   ARGV[2] who acts: 'admin' (a network admin) or 'org-admin'
-- ARGV[3] updated-at (ISO)
-- Returns {'ok', status} with the user's status afterwards, {'forbidden'} when an org-admin re-enables a user a
-- network admin disabled, {'missing'} when there is no such user.
local status = redis.call('HGET', KEYS[1], 'status')
if not status then
  return {'missing'}
end
if ARGV[1] == '1' then
  local invite = redis.call('HGET', KEYS[1], 'inviteKey')
  if invite then
    redis.call('DEL', invite)
    redis.call('HDEL', KEYS[1], 'inviteKey')
  end
  local by = ARGV[2]
  if status == 'disabled' and redis.call('HGET', KEYS[1], 'disabledBy') == 'admin' then
    by = 'admin'
  end
  redis.call('HSET', KEYS[1], 'status', 'disabled', 'disabledBy', by, 'updatedAt', ARGV[3])
  return {'ok', 'disabled'}
end
if status ~= 'disabled' then
  redis.call('HSET', KEYS[1], 'updatedAt', ARGV[3])
  return {'ok', status}
end
if redis.call('HGET', KEYS[1], 'disabledBy') == 'admin' and ARGV[2] ~= 'admin' then
  return {'forbidden'}
end
if redis.call('HEXISTS', KEYS[1], 'passwordHash') == 1 then
  status = 'active'
else
  status = 'invited'
end
redis.call('HSET', KEYS[1], 'status', status, 'updatedAt', ARGV[3])
redis.call('HDEL', KEYS[1], 'disabledBy')
return {'ok', status}
