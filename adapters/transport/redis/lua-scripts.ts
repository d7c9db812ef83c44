import { createHash } from 'node:crypto';

/**
 * The server-side scripts of the Redis store. Kept inline as strings rather than .lua files:
 * the build (tsc) copies no assets, so .lua files would be missing from dist/ and from anything
 * that installs the package; inline, they travel with the code that passes their arguments.
 *
 * Key layout under a namespace `ns` (default 'upcall:'):
 *   ns i:<key>   sorted set, member = client id, score = last access (ms, Redis clock)
 *   ns t:<key>   hash, client id -> flags it was told of since its last access (+ SKIPPED bit)
 *   ns s:<id>    stream of deliveries for one client: fields n (number), t (µs), d (payload)
 *   ns n:<id>    counter numbering that client's deliveries, so a trim shows up as a gap
 *   ns epoch     random id of this Redis's state: changes when Redis restarts empty or is flushed
 *   ns bcast     stream every head reads: "flush everything" for all (changes were lost)
 *   ns ack:<id>  pub/sub channel of one head: "I evicted", for changes it waits on (acks.ts)
 *   ns rc:<k>    a head's note of its own recent change, for the watchers of every head (PX window)
 *   ns live      hash, client id -> until (ms): clients whose head reads their stream (live-clients.ts)
 *   ns options   the options last set at run time on any head, JSON (redis-transport.ts)
 *
 * Times come from Redis TIME, so heads on several machines agree on what "recent" means. The
 * scripts touch keys they compute (the targets' streams), so they need one Redis, not a cluster.
 * Inode keys arrive already encoded (JSON of the InodeKey: 5 and "5" stay distinct).
 */

/** Set in a told-once record (t:<key>) when a change was left out for that client; above every flag. */
export const SKIPPED_BIT = 0x40000000;

/** Shared prologue: now (ms) and now (µs, as a string to keep every digit). */
const CLOCK = `
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local nowUs = clock[1] .. string.format('%06d', tonumber(clock[2]))
local SKIPPED = ${SKIPPED_BIT}
`;

/**
 * Appends one numbered delivery to client c's stream; both keys live `ttl` ms past the last one.
 * `ack` (may be '') is the originator's token: the receiving head publishes it once it evicted.
 */
const DELIVER = `
local function deliver(ns, c, payload, trim, maxlen, ttl, ack)
  local skey, nkey = ns .. 's:' .. c, ns .. 'n:' .. c
  local n = redis.call('INCR', nkey)
  if ack ~= '' then
    redis.call('XADD', skey, 'MAXLEN', trim, maxlen, '*', 'n', n, 't', nowUs, 'd', payload, 'k', ack)
  else
    redis.call('XADD', skey, 'MAXLEN', trim, maxlen, '*', 'n', n, 't', nowUs, 'd', payload)
  end
  redis.call('PEXPIRE', skey, ttl)
  redis.call('PEXPIRE', nkey, ttl)
end
`;

/**
 * Rule 2 (+ rule 5 on the way, + entry changes reaching the parents' clients, as the in-process
 * core does), for a batch of changes in the order they were made (one script call per batch:
 * the per-command cost of the client library, not Redis, is what a write pays for).
 *
 * Better than GlusterFS, told once per access: an attribute-only change (no name, no parent;
 * `told` set) is not delivered again to a client already told of those flags since its last
 * access: that client evicted the inode's attributes and listing (the eviction of an attribute
 * change does not depend on its details) and has not read them since. The record (t:<key>) goes
 * only when the client registers again (TOUCH_LUA, a read). The client's own changes leave it:
 * a cache refreshes from post-op attributes only what it holds (MetaCache), so a writer told
 * once holds nothing of the inode until it reads — two heads writing one file in turn tell each
 * other once, not at every write. A change left out sets SKIPPED in the record, so a read that
 * raced with it is told on registering (see TOUCH_LUA).
 * Entry, xattr and forget changes always go: what they evict depends on names.
 *
 * ARGV = ns, T (ms), trim ('~'/'='), maxlen, stream ttl (ms), then 8 per change: origin, kind
 * ('1'/'0': an entry change or not; a trailing 'n': the origin holds no cache, do not register
 * it), payload, inode, parent ('' if none), oldParent ('' if none), ack token ('' if none), told
 * (the change's flags if it is an attribute-only change, else '').
 * Returns three numbers per change: its targets, how many of them must acknowledge (those a live
 * head reads; the ack token goes only into their entries), and how many were already told.
 */
export const CHANGE_LUA = `${CLOCK}${DELIVER}
local ns, T, trim, maxlen, ttl = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5]
local counts = {}
-- Memos for this batch: a hot inode changed several times in one batch (one writer, many
-- fops in flight) costs its reads, its registration and its expiry once (Redis time per
-- change is what a write pays for; no registration can happen between two changes of a script).
local entriesOf, toldOf, extended = {}, {}, {}
-- One read of an inode's clients with their last access: entries idle for more than 2T go
-- (rarely any: one more call then), the rest are kept with their scores.
local function entriesFor(k)
  local e = entriesOf[k]
  if e == nil then
    local key = ns .. 'i:' .. k
    local all = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
    e = { names = {}, scores = {} }
    local old = false
    for i = 1, #all, 2 do
      local c, score = all[i], tonumber(all[i + 1])
      if score < now - 2 * T then
        old = true
      else
        e.names[#e.names + 1] = c
        e.scores[c] = score
      end
    end
    if old then redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. (now - 2 * T)) end
    entriesOf[k] = e
  end
  return e
end
local function toldFlags(tkey, c)
  local m = tkey .. '\\n' .. c
  if toldOf[m] == nil then toldOf[m] = tonumber(redis.call('HGET', tkey, c) or '-1') end
  return toldOf[m]
end
local function setTold(tkey, c, v)
  redis.call('HSET', tkey, c, v)
  if not extended[tkey] then
    extended[tkey] = true
    redis.call('PEXPIRE', tkey, 2 * T + 1)
  end
  toldOf[tkey .. '\\n' .. c] = v
end
for base = 6, #ARGV, 8 do
  local origin, entry, payload = ARGV[base], ARGV[base + 1], ARGV[base + 2]
  local inode, parent, oldParent, ack = ARGV[base + 3], ARGV[base + 4], ARGV[base + 5], ARGV[base + 6]
  local told = tonumber(ARGV[base + 7])
  local register = string.sub(entry, 2, 2) ~= 'n'
  entry = string.sub(entry, 1, 1)
  local targets, seen = {}, {}
  local function collect(k)
    local e = entriesFor(k)
    -- strictly less than T ago are told; between T and 2T they stay, silent
    for i = 1, #e.names do
      local c = e.names[i]
      if c ~= origin and not seen[c] and e.scores[c] > now - T then
        seen[c] = true
        targets[#targets + 1] = c
      end
    end
    if not register then return end
    -- The originator is refreshed, never told; being told does not refresh anyone. A
    -- registration younger than T/2 stays as it is, as on the read path (RedisTransport.touch:
    -- caches live at most T/2 in Redis mode, so it still covers what the originator caches).
    local prev = e.scores[origin]
    if prev == nil or prev <= now - T / 2 then
      local key = ns .. 'i:' .. k
      redis.call('ZADD', key, now, origin)
      redis.call('PEXPIRE', key, 2 * T + 1)
      if prev == nil then e.names[#e.names + 1] = origin end
      e.scores[origin] = now
    end
  end
  collect(inode)
  if entry == '1' then
    if parent ~= '' and parent ~= inode then collect(parent) end
    if oldParent ~= '' and oldParent ~= parent then collect(oldParent) end
  end
  local acks, already = 0, 0
  local tkey = ns .. 't:' .. inode
  for i = 1, #targets do
    local c = targets[i]
    local send = true
    if told then
      local had = toldFlags(tkey, c)
      if had >= 0 and bit.band(told, bit.bnot(had)) == 0 then
        send = false
        already = already + 1
        if bit.band(had, SKIPPED) == 0 then setTold(tkey, c, bit.bor(had, SKIPPED)) end
      else
        setTold(tkey, c, bit.bor(told, math.max(had, 0)))
      end
    end
    if send then
      local k = ''
      if ack ~= '' and tonumber(redis.call('HGET', ns .. 'live', c) or '0') > now then
        k = ack
        acks = acks + 1
      end
      deliver(ns, c, payload, trim, maxlen, ttl, k)
    end
  end
  counts[#counts + 1] = #targets - already
  counts[#counts + 1] = acks
  counts[#counts + 1] = already
end
return counts
`;

/** Rule 4: ARGV = ns, inode, payload, trim, maxlen, stream ttl. FORGET to every listed client. */
export const FORGET_LUA = `${CLOCK}${DELIVER}
local ns = ARGV[1]
local key = ns .. 'i:' .. ARGV[2]
local listed = redis.call('ZRANGE', key, 0, -1)
redis.call('DEL', key, ARGV[1] .. 't:' .. ARGV[2])
for i = 1, #listed do deliver(ns, listed[i], ARGV[3], ARGV[4], ARGV[5], ARGV[6], '') end
return #listed
`;

/**
 * Rule 1, batched: ARGV = ns, client, T (ms), inode... Registers or refreshes the client on each,
 * and drops its told-once record there (CHANGE_LUA). Returns the inodes (and the flags told) whose
 * record shows a change left out since: a read that fetched before this registration landed may
 * hold the state before that change, so the head evicts it once more.
 */
export const TOUCH_LUA = `${CLOCK}
local ns, client, T = ARGV[1], ARGV[2], tonumber(ARGV[3])
local missed = {}
for i = 4, #ARGV do
  local key = ns .. 'i:' .. ARGV[i]
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. (now - 2 * T))
  redis.call('ZADD', key, now, client)
  redis.call('PEXPIRE', key, 2 * T + 1)
  local tkey = ns .. 't:' .. ARGV[i]
  local had = tonumber(redis.call('HGET', tkey, client) or '-1')
  if had >= 0 then
    redis.call('HDEL', tkey, client)
    if bit.band(had, SKIPPED) ~= 0 then
      missed[#missed + 1] = ARGV[i]
      missed[#missed + 1] = bit.band(had, bit.bnot(SKIPPED))
    end
  end
end
return missed
`;

/** How many client leases the shared options outlive the last head by. */
export const OPTIONS_LEASES = 10;

/**
 * ARGV = ns, lease (ms), clients...: they are read by a live head until now + lease. Also keeps
 * the deployment's shared options (ns options) while any head lives: they go OPTIONS_LEASES
 * leases after the last head stopped, so heads restarted with new flags take those.
 */
export const LIVE_LUA = `${CLOCK}
local key, lease = ARGV[1] .. 'live', tonumber(ARGV[2])
for i = 3, #ARGV do redis.call('HSET', key, ARGV[i], now + lease) end
redis.call('PEXPIRE', ARGV[1] .. 'options', ${OPTIONS_LEASES} * lease)
return #ARGV - 2
`;

/** ARGV = ns, ttl (ms), then key, value pairs: notes every head's watcher reads (shared-notes.ts). */
export const NOTE_LUA = `
local ns, ttl = ARGV[1], ARGV[2]
for i = 3, #ARGV - 1, 2 do redis.call('SET', ns .. 'rc:' .. ARGV[i], ARGV[i + 1], 'PX', ttl) end
return (#ARGV - 2) / 2
`;

/**
 * ARGV = key, holder, ttl (ms): a lease one holder at a time (redis-lease.ts). ttl > 0 takes it
 * if free or renews it if `holder` has it; ttl = 0 gives it up if `holder` has it. Returns 1 when
 * `holder` held it (and, for ttl > 0, holds it now), 0 otherwise. Compare-and-set in one script:
 * a holder whose lease ran out and went to another head must not renew or delete the other's.
 */
export const LEASE_LUA = `
local key, me, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3])
local cur = redis.call('GET', key)
if cur == me then
  if ttl > 0 then redis.call('PEXPIRE', key, ttl) else redis.call('DEL', key) end
  return 1
end
if cur or ttl == 0 then return 0 end
redis.call('SET', key, me, 'PX', ttl)
return 1
`;

/** ARGV = ns, a fresh random id. Returns the epoch of this Redis's state, creating it if absent. */
export const EPOCH_LUA = `
local key = ARGV[1] .. 'epoch'
local e = redis.call('GET', key)
if e then return e end
redis.call('SET', key, ARGV[2])
return ARGV[2]
`;

/** A script and its SHA1, as EVALSHA wants it. */
export interface LuaScript {
  readonly name: string;
  readonly lua: string;
  readonly sha: string;
}

function script(name: string, lua: string): LuaScript {
  return { name, lua, sha: createHash('sha1').update(lua).digest('hex') };
}

export const SCRIPTS = {
  change: script('change', CHANGE_LUA),
  forget: script('forget', FORGET_LUA),
  touch: script('touch', TOUCH_LUA),
  live: script('live', LIVE_LUA),
  note: script('note', NOTE_LUA),
  epoch: script('epoch', EPOCH_LUA),
  lease: script('lease', LEASE_LUA),
} as const;
