/**
 * The Lua scripts of RedisLog. Each runs atomically in Redis, so a sequence number, its stream entry, the
 * retention trim and its low-water mark can never be seen half done by another instance.
 *
 * Common key layout (KEYS): 1 epoch, 2 seq, 3 control, 4 trimmed, 5.. the channels' streams.
 * Common arguments (ARGV): 1 a fresh candidate epoch (used only when the epoch key is missing), 2 maxAgeMs
 * (0 = no age retention), then per script. Stream entries are `<seq>-0` with fields `d` (data JSON), `t` (ms).
 */

const HELPERS = `
local function fmt(n) return string.format('%d', n) end
local function seqOf(id) return tonumber(string.match(id, '^(%d+)')) end
local function ensureEpoch()
  local epoch = redis.call('GET', KEYS[1])
  if not epoch then
    epoch = ARGV[1]
    redis.call('SET', KEYS[1], epoch)
    redis.call('XADD', KEYS[3], 'MAXLEN', '~', '100', '*', 'epoch', epoch)
  end
  return epoch
end
local function head() return tonumber(redis.call('GET', KEYS[2]) or '0') end
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
-- Trims entries through seq 'last' from a stream and records it as the channel's low-water mark.
local function trimThrough(stream, channel, last)
  redis.call('XTRIM', stream, 'MINID', '=', fmt(last + 1) .. '-0')
  redis.call('HSET', KEYS[4], channel, fmt(last))
end
-- Age retention: drops the entries older than maxAgeMs from the front of a stream (entries are in time order).
local function trimAge(stream, channel, maxAgeMs, now)
  if maxAgeMs <= 0 then return end
  local cutoff = now - maxAgeMs
  -- The usual case costs one entry: the oldest is young enough.
  local oldest = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)
  if #oldest == 0 or tonumber(oldest[1][2][4]) > cutoff then return end
  while true do
    local batch = redis.call('XRANGE', stream, '-', '+', 'COUNT', 64)
    local last = nil
    for i = 1, #batch do
      if tonumber(batch[i][2][4]) > cutoff then break end
      last = batch[i][1]
    end
    if not last then return end
    trimThrough(stream, channel, seqOf(last))
    if last ~= batch[#batch][1] then return end
  end
end
-- The highest low-water mark of the given channels (ARGV[first..]) and their streams (KEYS[5..]).
local function lowMark(first, maxAgeMs)
  local now = nowMs()
  local low = 0
  for i = 5, #KEYS do
    local channel = ARGV[first + i - 5]
    trimAge(KEYS[i], channel, maxAgeMs, now)
    local mark = tonumber(redis.call('HGET', KEYS[4], channel) or '0')
    if mark > low then low = mark end
  end
  return low
end
`

/** Returns {epoch, headSeq}. */
export const HEAD_SCRIPT = `${HELPERS}
local epoch = ensureEpoch()
return {epoch, fmt(head())}
`

/**
 * KEYS 5 = the channel's stream. ARGV 3 channel, 4 data JSON, 5 maxLength (0 = unbounded).
 * Returns {epoch, seq}. The count trim reads the entries it drops (usually one) to record the exact low-water mark.
 */
export const APPEND_SCRIPT = `${HELPERS}
local epoch = ensureEpoch()
local seq = redis.call('INCR', KEYS[2])
local now = nowMs()
local stream, channel = KEYS[5], ARGV[3]
local added = redis.pcall('XADD', stream, fmt(seq) .. '-0', 'd', ARGV[4], 't', fmt(now))
if type(added) == 'table' and added.err then
  return redis.error_reply('PUSHLINE_SEQ sequence is behind the stream of ' .. channel .. ' (was the seq key evicted? use maxmemory-policy noeviction): ' .. added.err)
end
local maxLength = tonumber(ARGV[5])
if maxLength > 0 then
  local length = redis.call('XLEN', stream)
  if length > maxLength then
    local dropped = redis.call('XRANGE', stream, '-', '+', 'COUNT', length - maxLength)
    trimThrough(stream, channel, seqOf(dropped[#dropped][1]))
  end
end
trimAge(stream, channel, tonumber(ARGV[2]), now)
return {epoch, fmt(seq)}
`

/**
 * ARGV 3 cursor epoch, 4 cursor seq, 5 limit, 6 maxBytes, 7.. channels (KEYS 5.. their streams).
 * Returns {'epoch'|'expired', epoch, head, lowMark} or {'events', epoch, head, entries1, complete1, ...} where
 * entries are flat {id, data, id, data...} after the cursor and complete = 1 when the stream had nothing more.
 * A stream's fetch stops past limit+1 entries or maxBytes, so a read never pulls a whole stream into memory.
 */
export const READ_SCRIPT = `${HELPERS}
local epoch = ensureEpoch()
local top = head()
local after = tonumber(ARGV[4])
local low = lowMark(7, tonumber(ARGV[2]))
if epoch ~= ARGV[3] or after > top then return {'epoch', epoch, fmt(top), fmt(low)} end
if after < low then return {'expired', epoch, fmt(top), fmt(low)} end
local limit, maxBytes = tonumber(ARGV[5]), tonumber(ARGV[6])
local page = math.min(limit + 1, 128)
local out = {'events', epoch, fmt(top)}
for i = 5, #KEYS do
  local channel = ARGV[7 + i - 5]
  local got, count, bytes, complete = {}, 0, 0, 0
  local start = '(' .. fmt(after) .. '-0'
  while true do
    local batch = redis.call('XRANGE', KEYS[i], start, '+', 'COUNT', page)
    for j = 1, #batch do
      got[#got + 1] = batch[j][1]
      got[#got + 1] = batch[j][2][2]
      count = count + 1
      bytes = bytes + #batch[j][2][2] + #channel + 48
    end
    if #batch < page then complete = 1 break end
    if count > limit or bytes >= maxBytes then break end
    start = '(' .. batch[#batch][1]
  end
  out[#out + 1] = got
  out[#out + 1] = complete
end
return out
`

/** ARGV 3 cursor epoch, 4 cursor seq, 5.. channels. Returns {'reset'|'ready'|'wait', epoch, head}. */
export const CHECK_SCRIPT = `${HELPERS}
local epoch = ensureEpoch()
local top = head()
local after = tonumber(ARGV[4])
local low = lowMark(5, tonumber(ARGV[2]))
if epoch ~= ARGV[3] or after > top or after < low then return {'reset', epoch, fmt(top)} end
for i = 5, #KEYS do
  if #redis.call('XRANGE', KEYS[i], '(' .. fmt(after) .. '-0', '+', 'COUNT', 1) > 0 then return {'ready', epoch, fmt(top)} end
end
return {'wait', epoch, fmt(top)}
`
