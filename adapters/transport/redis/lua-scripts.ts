import { createHash } from 'node:crypto';
import { TOLD_ONCE_FLAGS } from './told-once';

/**
 * The server-side scripts of the Redis store. Kept inline as strings rather than .lua files:
 * the build (tsc) copies no assets, so .lua files would be missing from dist/ and from anything
 * that installs the package; inline, they travel with the code that passes their arguments.
 *
 * Key layout under a namespace `ns` (default 'upcall:'):
 *   ns i:<key>   sorted set, member = client id, score = last access (ms, Redis clock)
 *   ns t:<key>   hash, client id -> flags it was told of since its last access (+ SKIPPED bit)
 *   ns g:<key>   hash, client id -> end of its quiet-write grant (ms; negative: recalled), quiet-grants.ts
 *   ns s:<id>    stream of deliveries for one client: fields n (number), t (µs), d (payload), or
 *                instead of d a recall: r (inode), g (grant id); k (ack token) on either
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
 * Appends one numbered entry (`body`: field, value...) to client c's stream; both keys live `ttl`
 * ms past the last one. `ack` (may be '') is a token the receiving head publishes once it acted.
 */
const APPEND = `
local function append(ns, c, body, trim, maxlen, ttl, ack)
  local skey, nkey = ns .. 's:' .. c, ns .. 'n:' .. c
  local f = { 'n', redis.call('INCR', nkey), 't', nowUs }
  for i = 1, #body do f[#f + 1] = body[i] end
  if ack ~= '' then
    f[#f + 1] = 'k'
    f[#f + 1] = ack
  end
  redis.call('XADD', skey, 'MAXLEN', trim, maxlen, '*', unpack(f))
  redis.call('PEXPIRE', skey, ttl)
  redis.call('PEXPIRE', nkey, ttl)
end
`;

/** One delivery (a change's payload) to client c; the originator's ack token goes with it. */
const DELIVER = `${APPEND}
local function deliver(ns, c, payload, trim, maxlen, ttl, ack)
  append(ns, c, { 'd', payload }, trim, maxlen, ttl, ack)
end
`;

/**
 * Recalls every live quiet-write grant on inode k (quiet-grants.ts) held by another client than
 * `by`: each holder gets a recall in its stream, carrying `ack` (may be ''). A recalled grant
 * stays (negative) until its lease ends, so a later reader recalls it too and waits for the
 * holder as well: the holder may not have acted on the first recall yet. Returns how many
 * recalls were sent and the longest lease left (ms): how long a reader waits at most.
 */
const RECALL = `
local function recall(ns, k, by, ack, trim, maxlen, ttl)
  local gkey = ns .. 'g:' .. k
  local all = redis.call('HGETALL', gkey)
  local sent, wait = 0, 0
  for i = 1, #all, 2 do
    local h, v = all[i], tonumber(all[i + 1])
    local ends = math.abs(v)
    if ends <= now then
      redis.call('HDEL', gkey, h)
    elseif h ~= by then
      if v > 0 then redis.call('HSET', gkey, h, -v) end
      append(ns, h, { 'r', k, 'g', ends }, trim, maxlen, ttl, ack)
      sent = sent + 1
      if ends - now > wait then wait = ends - now end
    end
  end
  return sent, wait
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
 * Quiet writes: when such a change was delivered to nobody (every other recent client was told
 * already), its originator is granted the flags all of them were told of, for `grant` ms
 * (ns g:<key>, quiet-grants.ts): it may leave further such changes unsent meanwhile. A client
 * that joins without being told (its first change of the inode, or a registration, TOUCH_LUA)
 * recalls the grants.
 *
 * ARGV = ns, T (ms), trim ('~'/'='), maxlen, stream ttl (ms), grant (ms, 0: none), then 8 per change: origin, kind
 * ('1'/'0': an entry change or not; a trailing 'n': the origin holds no cache, do not register
 * it), payload, inode, parent ('' if none), oldParent ('' if none), ack token ('' if none), told
 * (the change's flags if it is an attribute-only change, else '').
 * Returns five numbers per change: its targets, how many of them must acknowledge (those a live
 * head reads; the ack token goes only into their entries), how many were already told, and the
 * grant: its flags (0: none) and id (its end, ms).
 */
export const CHANGE_LUA = `${CLOCK}${DELIVER}${RECALL}
local ns, T, trim, maxlen, ttl, grant = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
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
for base = 7, #ARGV, 8 do
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
      -- Recent again with no record of being told: grants counted on it being told.
      if (prev == nil or prev <= now - T) and toldFlags(ns .. 't:' .. k, origin) < 0 then
        recall(ns, k, origin, '', trim, maxlen, ttl)
      end
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
  local granted, ends = 0, 0
  if told and register and grant > 0 and already == #targets then
    granted = ${TOLD_ONCE_FLAGS}
    for i = 1, #targets do granted = bit.band(granted, toldFlags(tkey, targets[i])) end
    if granted ~= 0 then
      ends = now + grant
      redis.call('HSET', ns .. 'g:' .. inode, origin, ends)
      redis.call('PEXPIRE', ns .. 'g:' .. inode, grant + 1)
    end
  end
  counts[#counts + 1] = #targets - already
  counts[#counts + 1] = acks
  counts[#counts + 1] = already
  counts[#counts + 1] = granted
  counts[#counts + 1] = ends
end
return counts
`;

/** Rule 4: ARGV = ns, inode, payload, trim, maxlen, stream ttl. FORGET to every listed client (its grant goes too). */
export const FORGET_LUA = `${CLOCK}${DELIVER}
local ns = ARGV[1]
local key = ns .. 'i:' .. ARGV[2]
local listed = redis.call('ZRANGE', key, 0, -1)
-- Grant holders are listed (a grant goes to a registered originator): the FORGET ends theirs.
redis.call('DEL', key, ns .. 't:' .. ARGV[2], ns .. 'g:' .. ARGV[2])
for i = 1, #listed do deliver(ns, listed[i], ARGV[3], ARGV[4], ARGV[5], ARGV[6], '') end
return #listed
`;

/**
 * Rule 1, batched: ARGV = ns, client, T (ms), ack token ('' if none), trim, maxlen, stream ttl,
 * inode... Registers or refreshes the client on each, drops its told-once record there
 * (CHANGE_LUA) and recalls other clients' quiet-write grants there (RECALL): they counted on it
 * being told. Returns the recalls sent and the longest lease left (ms) — the head waits for as
 * many acknowledgements, at most that long, before its read goes on — then the inodes (and
 * flags) to evict once more: those whose record shows a change left out since, and those whose
 * grants were recalled (changes were left out unseen). A read that fetched before this
 * registration landed may hold the state from before those changes.
 */
export const TOUCH_LUA = `${CLOCK}${APPEND}${RECALL}
local ns, client, T, ack = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local trim, maxlen, ttl = ARGV[5], ARGV[6], ARGV[7]
local out = { 0, 0 }
for i = 8, #ARGV do
  local k = ARGV[i]
  local key = ns .. 'i:' .. k
  redis.call('ZREMRANGEBYSCORE', key, '-inf', '(' .. (now - 2 * T))
  redis.call('ZADD', key, now, client)
  redis.call('PEXPIRE', key, 2 * T + 1)
  local tkey = ns .. 't:' .. k
  local had = tonumber(redis.call('HGET', tkey, client) or '-1')
  local missed = 0
  if had >= 0 then
    redis.call('HDEL', tkey, client)
    if bit.band(had, SKIPPED) ~= 0 then missed = bit.band(had, bit.bnot(SKIPPED)) end
  end
  local sent, wait = recall(ns, k, client, ack, trim, maxlen, ttl)
  if sent > 0 then
    out[1] = out[1] + sent
    if wait > out[2] then out[2] = wait end
    missed = bit.bor(missed, ${TOLD_ONCE_FLAGS})
  end
  if missed ~= 0 then
    out[#out + 1] = k
    out[#out + 1] = missed
  end
end
return out
`;

/**
 * ARGV = ns, inode, client, grant id: the holder acted on the recall of that grant, so later
 * readers need not recall it again. Only that grant goes: a newer one granted since stays.
 */
export const RELEASE_LUA = `
local gkey = ARGV[1] .. 'g:' .. ARGV[2]
if tonumber(redis.call('HGET', gkey, ARGV[3]) or '0') == -tonumber(ARGV[4]) then
  return redis.call('HDEL', gkey, ARGV[3])
end
return 0
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
 * ARGV = key, holder, connection id ('' if unknown), ttl (ms): a lease one holder at a time
 * (redis-lease.ts), stored as `<holder>#<connection id>`. ttl > 0 takes it if free or renews it
 * if `holder` has it (under any connection id: a reconnected holder updates it); ttl = 0 gives
 * it up if `holder` has it. Returns 1 when `holder` held it (and, for ttl > 0, holds it now);
 * when another holds it and ttl > 0, that holder's stored value (the caller may check its
 * connection); 0 otherwise. Compare-and-set in one script: a holder whose lease ran out and went
 * to another head must not renew or delete the other's.
 */
export const LEASE_LUA = `
local key, holder, conn, ttl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local me = holder .. '#' .. conn
local cur = redis.call('GET', key)
if cur and string.match(cur, '^(.*)#[^#]*$') == holder then
  if ttl > 0 then redis.call('SET', key, me, 'PX', ttl) else redis.call('DEL', key) end
  return 1
end
if ttl == 0 then return 0 end
if cur then return cur end
redis.call('SET', key, me, 'PX', ttl)
return 1
`;

/**
 * ARGV = key, asker, rate, ttl (ms): a head that changes the export at `rate` per second asks for
 * the lease (stored as `<asker>|<rate>` for ttl). The busiest ask stands: a lower rate from
 * another asker is refused (0), the same asker updates its own. Returns 1 when stored.
 */
export const LEASE_ASK_LUA = `
local key, asker, rate, ttl = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local cur = redis.call('GET', key)
if cur then
  local by, r = string.match(cur, '^(.*)|([^|]*)$')
  if by ~= asker and tonumber(r) >= rate then return 0 end
end
redis.call('SET', key, asker .. '|' .. ARGV[3], 'PX', ttl)
return 1
`;

/** ARGV = key, value: deletes the lease if it still holds exactly `value` (its holder is gone). */
export const LEASE_STEAL_LUA = `
if redis.call('GET', ARGV[1]) == ARGV[2] then return redis.call('DEL', ARGV[1]) end
return 0
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
  release: script('release', RELEASE_LUA),
  live: script('live', LIVE_LUA),
  note: script('note', NOTE_LUA),
  epoch: script('epoch', EPOCH_LUA),
  lease: script('lease', LEASE_LUA),
  leaseSteal: script('leaseSteal', LEASE_STEAL_LUA),
  leaseAsk: script('leaseAsk', LEASE_ASK_LUA),
} as const;
