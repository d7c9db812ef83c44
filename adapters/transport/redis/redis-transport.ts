import { randomUUID } from 'node:crypto';
import Redis, { type RedisOptions } from 'ioredis';
import {
  type ChangeEvent,
  type ClientId,
  type InodeKey,
  type TransportSink,
  UpcallFlags,
  type UpcallOptions,
  type UpcallTransport,
} from '../../../upcall-core';
import { type AckCounters, AckSender, AckWaiter } from './acks';
import { RedisUnavailableError } from './errors';
import { type EventCodec, encodeInodeKey, jsonCodec } from './event-codec';
import { LiveClients } from './live-clients';
import { type LuaScript, SCRIPTS } from './lua-scripts';
import { OpQueue } from './op-queue';
import { QuietGrants } from './quiet-grants';
import { RedisLease } from './redis-lease';
import { RefreshFilter } from './refresh-filter';
import { SharedNotes } from './shared-notes';
import { SharedOptions } from './shared-options';
import { StreamReader } from './stream-reader';
import { toldOnceFlags } from './told-once';

export interface RedisTransportOptions<S = unknown> {
  /** `redis://host:port[/db]`. */
  readonly url: string;
  /** Prefix of every key, so several deployments (or test runs) share one Redis. Default 'upcall:'. */
  readonly namespace?: string;
  /** Longest a client's delivery stream may grow (MAXLEN); a head that falls further behind flushes. Default 10,000. */
  readonly streamMaxLen?: number;
  /** Trim streams exactly instead of approximately (`MAXLEN =` vs `~`; tests). Default false. */
  readonly exactTrim?: boolean;
  /** A client's stream disappears this long after its last delivery. Default 1 h (at least 4T). */
  readonly streamTtlMs?: number;
  /** Refresh a registration at most every T × this (the read path's shortcut). Default 0.5. */
  readonly refreshFraction?: number;
  /** Bound on the registrations remembered as fresh. Default 100,000. */
  readonly refreshMapSize?: number;
  /** Changes queued while the link is down before further ones are dropped (then every head flushes). Default 10,000. */
  readonly offlineLimit?: number;
  /** Give up connecting at start after this long. Default 3,000 ms. */
  readonly connectTimeoutMs?: number;
  /** Delay before reconnect attempt `n` (1-based). Default min(50·2^(n-1), 1000) ms. */
  readonly retryDelayMs?: (attempt: number) => number;
  /** Longest one XREAD blocks (backstop for a missed wake-up). Default 1,000 ms. */
  readonly blockMs?: number;
  /**
   * How long a change waits for the heads it notified to acknowledge their eviction before the
   * fop replies anyway (counted as an ack timeout); 0 turns acknowledgements off. Default 5 ms.
   */
  readonly ackTimeoutMs?: number;
  /**
   * Quiet writes (quiet-grants.ts): how long a grant lets a client leave attribute changes of an
   * inode unsent while everyone else who cached it was told already; also the longest a read
   * waits for a holder that does not acknowledge a recall (a dead head). At most T/2; 0 turns
   * grants off. Default 1,000 ms.
   */
  readonly quietLeaseMs?: number;
  /**
   * Origins that report changes but hold no cache (the export watcher, `<head>/watcher`): their
   * changes notify as usual, but they are never registered, so nobody writes deliveries for them.
   */
  readonly passiveOrigins?: readonly string[];
  /** Name shown in CLIENT LIST (the head id). */
  readonly name?: string;
  readonly codec?: EventCodec<S>;
  readonly logger?: { warn(msg: string, meta?: object): unknown; info(msg: string, meta?: object): unknown };
}

type State = 'starting' | 'up' | 'down' | 'closed';
const ENTRY_FLAGS = UpcallFlags.PARENT_TIMES | UpcallFlags.RENAME;

/**
 * The Redis store (UpcallTransport): the client table as one sorted set per inode, "who must be
 * told" decided by a script (lua-scripts.ts), deliveries as one numbered stream per client read
 * back by the head that owns the client (StreamReader). Two connections: commands (auto-
 * pipelined, so every fop of a tick shares one write) and the blocking reader.
 *
 * Link loss: caches are told at once (`link(false)`: they stop serving), registrations believed
 * fresh are forgotten; on reconnect the scripts are reloaded, the epoch compared (a Redis that
 * restarted empty or was flushed lost every registration: flush-all 'transport-lost'), and the
 * reader replays from its last IDs (a skip in a stream's numbering: flush-all 'gap').
 */
export class RedisTransport<S = unknown> implements UpcallTransport<S> {
  private cmd!: Redis;
  private reader!: Redis;
  /** Subscriber connection: acknowledgements addressed to this head, option changes. */
  private sub: Redis | undefined;
  private readonly options: SharedOptions;
  /** Acknowledgements: of deliveries (first-try coherence, if on) and of grant recalls (always). */
  private readonly acks: AckWaiter;
  private readonly ackChanges: boolean;
  private readonly grants: QuietGrants;
  private readonly ackSender: AckSender;
  private readonly live: LiveClients;
  /** Notes shared by every head (their own recent changes, for the export watchers). */
  readonly notes: SharedNotes;
  private streams!: StreamReader;
  private sink: TransportSink<S> | undefined;
  private state: State = 'starting';
  private epoch: string | undefined;
  /** The stream reader's connection id: leases this head holds name it (redis-lease.ts). */
  private readerId: number | undefined;
  private gen = 0;
  private downSignal!: Promise<number>;
  private signalDown: () => void = () => {};
  private readonly filter: RefreshFilter;
  private readonly queue: OpQueue;
  private queuedWhileDown = 0;
  private droppedWhileDown = false;
  private readonly codec: EventCodec<S>;
  /**
   * In-flight registrations, settling with the flags of changes left out for the client (0:
   * none): a read that finds one pending waits for it rather than racing it.
   */
  private readonly registering = new Map<string, Promise<number>>();
  readonly counters: AckCounters & Record<string, number> = {
    resyncs: 0,
    epochChanges: 0,
    gaps: 0,
    broadcasts: 0,
    errors: 0,
    dropped: 0,
    ackWaits: 0,
    ackTimeouts: 0,
    acksReceived: 0,
    registrationWaits: 0,
    optionChanges: 0,
    alreadyTold: 0,
    missedOnRegistration: 0,
    quietChanges: 0,
    grants: 0,
    recallsReceived: 0,
    recallWaits: 0,
  };

  constructor(private readonly o: RedisTransportOptions<S>) {
    this.filter = new RefreshFilter(o.refreshMapSize);
    const ackTimeout = o.ackTimeoutMs ?? 5;
    this.ackChanges = ackTimeout > 0;
    this.acks = new AckWaiter(`${o.name ?? 'head'}.${randomUUID().slice(0, 8)}`, ackTimeout, this.counters);
    this.grants = new QuietGrants(o.quietLeaseMs ?? 1000);
    this.ackSender = new AckSender(() => this.cmd, this.ns);
    this.live = new LiveClients(
      this.ns,
      () => this.cmd,
      (args) => this.run(SCRIPTS.live, args),
      (err) => this.warn('live-client lease failed', err),
    );
    this.options = new SharedOptions(this.ns, () => this.cmd, {
      apply: (o) => this.sink?.options?.(o),
      current: () => this.sink?.currentOptions?.(),
      warn: (msg, err) => this.warn(msg, err),
      log: (msg, meta) => this.o.logger?.warn(msg, { part: 'redis', ...meta }),
      changed: () => this.counters.optionChanges++,
    });
    this.notes = new SharedNotes(
      this.ns,
      () => this.cmd,
      (args) => this.run(SCRIPTS.note, args),
      () => this.state === 'up',
    );
    this.codec = o.codec ?? jsonCodec<S>();
    this.queue = new OpQueue(
      this.ns,
      (script, args) => this.run(script, args),
      (t) => [
        this.ns,
        t,
        ...this.trim(),
        this.streamTtl(t),
        Math.min(this.grants.leaseMs, Math.floor(t / 2)),
      ],
      (what, err) => this.warn(what, err),
      (t) => [...this.trim(), this.streamTtl(t)],
      {
        begin: () => this.acks.begin(),
        wait: (seq, n, ms) => {
          this.counters.recallWaits++;
          return this.acks.wait(seq, n, ms);
        },
        end: (seq) => this.acks.end(seq),
      },
    );
    this.armDownSignal();
  }

  private get ns(): string {
    return this.o.namespace ?? 'upcall:';
  }

  get linkState(): State {
    return this.state;
  }

  async start(sink: TransportSink<S>): Promise<void> {
    this.sink = sink;
    const common: RedisOptions = {
      lazyConnect: true,
      protocol: 2,
      connectTimeout: this.o.connectTimeoutMs ?? 3000,
      retryStrategy: this.o.retryDelayMs ?? ((n) => Math.min(50 * 2 ** (n - 1), 1000)),
      connectionName: `upcall:${this.o.name ?? 'head'}`,
      maxRetriesPerRequest: null,
    };
    // No auto-pipelining: the OpQueue already sends one turn's operations together.
    this.cmd = new Redis(this.o.url, common);
    this.reader = new Redis(this.o.url, {
      ...common,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
    });
    this.streams = new StreamReader(
      this.reader,
      this.cmd,
      this.ns,
      {
        entry: (client, atUs, payload, ack) => this.received(client, atUs, payload, ack),
        recall: (client, inode, grantId, ack) => this.recalled(client, inode, grantId, ack),
        gap: (client) => {
          this.counters.gaps++;
          this.grants.dropClient(client); // a recall may be among what was missed
          this.sink?.lost(client, 'gap');
        },
        broadcast: () => {
          this.counters.broadcasts++;
          this.sink?.lost(undefined, 'gap');
        },
        error: (err) => this.warn('reading deliveries failed', err),
      },
      this.o.blockMs,
    );
    for (const c of [this.cmd, this.reader]) c.on('error', (err) => this.warn('redis connection error', err));
    // Pub/sub: acknowledgements addressed to this head, and option changes made on any head.
    // Resubscribed by us after a reconnect (an ack lost meanwhile only costs a timeout), not by
    // ioredis: its own resubscription leaves a promise nobody handles, which rejects when the
    // connection is closed before the reply ("Connection is closed", an unhandled rejection).
    const sub = new Redis(this.o.url, { ...common, autoResubscribe: false });
    this.sub = sub;
    const channels = [this.options.channel, `${this.ns}ack:${this.acks.id}`];
    let subscribed = false;
    sub.on('error', (err) => this.warn('redis connection error', err));
    sub.on('message', (channel: string, message: string) => this.published(channel, message));
    sub.on('ready', () => {
      if (subscribed && this.state !== 'closed')
        sub.subscribe(...channels).catch((err) => this.warn('resubscribing failed', err));
    });
    try {
      await Promise.all([this.cmd.connect(), this.reader.connect(), sub.connect()]);
      await sub.subscribe(...channels);
      subscribed = true;
      await this.resync(true);
    } catch (err) {
      this.state = 'closed';
      this.cmd.disconnect();
      this.reader.disconnect();
      this.sub?.disconnect();
      throw new RedisUnavailableError(this.o.url, err);
    }
    for (const c of [this.cmd, this.reader]) {
      c.on('close', () => this.down());
      c.on('ready', () => this.readyAgain());
    }
    this.streams.start();
  }

  private published(channel: string, message: string): void {
    if (channel === this.options.channel) this.options.received(message);
    else this.acks.acked(message);
  }

  /** Every other head applies `options` (SharedOptions); while the link is down, this head only. */
  shareOptions(options: UpcallOptions): void {
    if (this.state === 'up') this.options.share(options);
    else
      this.o.logger?.warn('redis link down: an option change applies to this head only', { part: 'redis' });
  }

  private warn(msg: string, err: unknown): void {
    this.counters.errors++;
    this.o.logger?.warn(msg, { part: 'redis', error: (err as Error)?.message ?? String(err) });
  }

  private armDownSignal(): void {
    this.downSignal = new Promise<number>((resolve) => {
      this.signalDown = () => resolve(-1);
    });
  }

  private down(): void {
    if (this.state !== 'up') return;
    this.state = 'down';
    this.gen++;
    this.filter.clear();
    this.grants.clear(); // recalls may be lost while down
    this.streams.setUp(false);
    this.signalDown();
    this.acks.releaseAll();
    this.registering.clear();
    this.o.logger?.warn('redis link down: caches stop serving until it is back', { part: 'redis' });
    this.sink?.link(false);
  }

  private readyAgain(): void {
    if (this.state !== 'down' || this.cmd.status !== 'ready' || this.reader.status !== 'ready') return;
    this.resync(false).catch((err) => this.warn('resync after reconnect failed; will retry', err));
  }

  /** Brings the link up: scripts loaded, epoch compared, reader restarted where it stopped. */
  private async resync(initial: boolean): Promise<void> {
    const gen = ++this.gen;
    for (const s of Object.values(SCRIPTS)) await this.cmd.script('LOAD', s.lua);
    const epoch = String(await this.run(SCRIPTS.epoch, [this.ns, randomUUID()]));
    const readerId = Number(await this.reader.client('ID'));
    this.readerId = readerId;
    if (initial) await this.streams.skipOldBroadcasts();
    if (gen !== this.gen || this.state === 'closed') return; // went down again meanwhile
    if (this.epoch !== undefined && epoch !== this.epoch) {
      // Redis restarted empty or was flushed: every registration is gone, so every cache must go.
      this.counters.epochChanges++;
      this.streams.restartStreams();
      this.sink?.lost(undefined, 'transport-lost');
    }
    this.epoch = epoch;
    if (this.droppedWhileDown) {
      // Changes this head could not even queue: nobody knows who missed them, so everyone flushes.
      await this.flushEveryHead();
      this.droppedWhileDown = false;
    }
    this.queuedWhileDown = 0;
    this.filter.clear();
    if (!initial) this.counters.resyncs++;
    this.state = 'up';
    this.armDownSignal();
    this.streams.setUp(true, readerId);
    this.live.renew();
    await this.options.adopt().catch((err) => this.warn('reading the stored options failed', err));
    if (!initial) this.o.logger?.info('redis link back: resynchronised', { part: 'redis' });
    this.sink?.link(true);
  }

  /** Every head, this one included, flushes all its caches (the `ns bcast` stream, StreamReader). */
  flushEveryHead(): Promise<unknown> {
    return this.cmd.xadd(`${this.ns}bcast`, 'MAXLEN', '~', 100, '*', 'flush', this.o.name ?? 'head');
  }

  /** A lease `ns <name>` held as `holder`, one holder at a time (the export watchers' election). */
  lease(name: string, holder: string): RedisLease {
    return new RedisLease(`${this.ns}${name}`, holder, {
      run: (script, args) => this.run(script, args),
      up: () => this.state === 'up',
      connection: () => this.readerId,
      connectionOpen: async (id) => String(await this.cmd.client('LIST', 'ID', String(id))).length > 0,
      get: (key) => this.cmd.get(key),
    });
  }

  /** EVALSHA, falling back to EVAL if the script cache was flushed under us. */
  private run(s: LuaScript, args: (string | number)[]): Promise<unknown> {
    return this.cmd.evalsha(s.sha, 0, ...args).catch((err: Error) => {
      if (!String(err?.message).includes('NOSCRIPT')) throw err;
      return this.cmd.eval(s.lua, 0, ...args);
    });
  }

  private received(client: ClientId, atUs: number, payload: string, ack: string | undefined): void {
    this.deliverEntry(client, atUs, payload);
    // After the entry went to the core (or was found undecodable and flushed): evicted either way.
    if (ack !== undefined) this.ackSender.add(ack);
  }

  /** The store recalled `client`'s grant: from now on its changes of `inode` go to the store again. */
  private recalled(client: ClientId, inode: string, grantId: number, ack: string | undefined): void {
    this.counters.recallsReceived++;
    this.grants.recall(client, inode, grantId);
    if (ack !== undefined) this.ackSender.add(ack);
    // Best effort: a grant left marked only makes a later reader recall it once more.
    this.run(SCRIPTS.release, [this.ns, inode, client, grantId]).catch(() => {});
  }

  private deliverEntry(client: ClientId, atUs: number, payload: string): void {
    let wire: ReturnType<EventCodec<S>['decode']>;
    try {
      wire = this.codec.decode(payload);
    } catch (err) {
      this.warn('undecodable delivery; flushing that client', err);
      this.sink?.lost(client, 'gap');
      return;
    }
    // Told once (CHANGE_LUA): the store tells this client of the inode's attribute changes again
    // only after it registers again, so its next read of the inode must register, fresh or not.
    if (wire.flags & UpcallFlags.FORGET || toldOnceFlags(wire) !== undefined) {
      this.filter.drop(client, encodeInodeKey(wire.inode));
    }
    if (wire.flags & UpcallFlags.FORGET) this.grants.recall(client, encodeInodeKey(wire.inode), 0);
    this.sink?.receive(client, { ...wire, at: atUs / 1000 });
  }

  /**
   * Registers `client` on `inode` at most once per refresh interval. Returns a promise while that
   * registration is on its way to Redis: the read must not fill a cache before other heads can
   * see the registration (a change landing in between would not be told to this head).
   */
  touch(client: ClientId, inode: InodeKey, timeoutMs: number, fetched = false): Promise<void> | undefined {
    if (this.state !== 'up') return undefined; // caches do not serve while down: nothing to keep registered
    const key = encodeInodeKey(inode);
    const k = `${client}\n${key}`;
    let pending: Promise<number> | undefined;
    if (this.filter.due(client, key, Date.now(), this.registrationLagMs(timeoutMs))) {
      const registered = this.queue.touch(client, timeoutMs, key);
      const done: Promise<number> = Promise.race([registered, this.downSignal.then(() => 0)]);
      void done.then(() => {
        if (this.registering.get(k) === done) this.registering.delete(k);
      });
      this.registering.set(k, done);
      pending = done;
    } else pending = this.registering.get(k);
    if (pending === undefined) return undefined;
    this.counters.registrationWaits++;
    return pending.then((missed) => {
      if (missed > 0 && fetched) this.missed(client, inode, missed);
    });
  }

  /**
   * Changes were left out for `client` (told once, quiet writes) before this registration landed,
   * and the read behind it fetched before registering: it may hold the state from before them.
   * Evicted once more, before that read goes on to fill its cache. (A read that registered first
   * fetches after them: the store's decisions, and the recalled holders' acknowledgements, came
   * before its registration settled.)
   */
  private missed(client: ClientId, inode: InodeKey, flags: number): void {
    this.counters.missedOnRegistration++;
    this.sink?.receive(client, { inode, flags, origin: client, at: Date.now() });
  }

  /** Queues a change or forget; resolves once Redis decided (or at once with -1 while the link is down). */
  private publish(send: () => Promise<number>): Promise<number> {
    if (this.state === 'closed') return Promise.resolve(-1);
    if (this.state !== 'up') {
      // Queued until the link is back (other heads may still be reading), within a bound.
      if (++this.queuedWhileDown > (this.o.offlineLimit ?? 10_000)) {
        this.droppedWhileDown = true;
        this.counters.dropped++;
        return Promise.resolve(-1);
      }
      void send();
      return Promise.resolve(-1);
    }
    return Promise.race([send(), this.downSignal]);
  }

  private streamTtl(timeoutMs: number): number {
    return Math.max(this.o.streamTtlMs ?? 3_600_000, 4 * timeoutMs);
  }

  private trim(): [string, number] {
    return [this.o.exactTrim ? '=' : '~', this.o.streamMaxLen ?? 10_000];
  }

  change(origin: ClientId, ev: ChangeEvent<S>, timeoutMs: number): Promise<number> {
    const told = toldOnceFlags(ev);
    const inode = encodeInodeKey(ev.inode);
    // Checked once the backend change is done (the plugin reports after it): a recall handled
    // before this point makes it go to the store; one handled after it acknowledges a change
    // that is complete, so the reader that recalled will fetch it.
    if (told !== undefined && this.state === 'up' && this.grants.covers(origin, inode, told)) {
      this.counters.quietChanges++;
      return Promise.resolve(0);
    }
    const queuedAt = Date.now();
    const entry = (ev.flags & ENTRY_FLAGS) !== 0 || ev.name !== undefined;
    const ack = this.state === 'up' && this.ackChanges ? this.acks.begin() : undefined;
    const optional = (k: InodeKey | undefined) => (k === undefined ? '' : encodeInodeKey(k));
    const fields = [
      origin,
      // An origin that holds no cache (a watcher) is not registered: it would only fill a stream
      // nobody reads, one XADD per later change of the inode.
      `${entry ? '1' : '0'}${this.o.passiveOrigins?.includes(origin) ? 'n' : ''}`,
      this.codec.encode(origin, ev),
      inode,
      optional(ev.parent),
      optional(ev.oldParent),
      ack?.token ?? '',
      told ?? '',
    ];
    const published = this.publish(() =>
      this.queue.change(timeoutMs, fields).then((r) => {
        this.counters.alreadyTold += r.already;
        if (r.granted !== 0 && this.state === 'up') {
          this.counters.grants++;
          this.grants.install(origin, inode, r.granted, r.grantId, queuedAt);
        }
        if (ack) {
          if (r.acks > 0) return this.acks.wait(ack.seq, r.acks).then(() => r.targets);
          this.acks.end(ack.seq);
        }
        return r.targets;
      }),
    );
    if (ack) published.then((n) => n < 0 && this.acks.end(ack.seq));
    return published;
  }

  forget(inode: InodeKey, origin: ClientId): Promise<number> {
    const payload = this.codec.encode(origin, { inode, flags: UpcallFlags.FORGET });
    const args = [this.ns, encodeInodeKey(inode), payload, ...this.trim(), this.streamTtl(3_600_000)];
    return this.publish(() => this.queue.call(SCRIPTS.forget, args));
  }

  attach(client: ClientId): void {
    this.streams.attach(client);
    this.live.add(client);
  }

  detach(client: ClientId): void {
    this.streams.detach(client);
    this.live.remove(client);
  }

  reset(): void {
    this.filter.clear();
  }

  registrationLagMs(timeoutMs: number): number {
    return timeoutMs * (this.o.refreshFraction ?? 0.5);
  }

  freshRegistrations(): number {
    return this.filter.size;
  }

  async sync(): Promise<void> {
    this.queue.flush();
    await this.cmd.ping();
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.queue.flush();
    this.state = 'closed';
    this.streams.stop();
    this.signalDown();
    this.acks.releaseAll();
    this.grants.clear();
    await this.live.stop();
    this.reader.disconnect();
    this.sub?.disconnect();
    await this.cmd.quit().catch(() => this.cmd.disconnect());
  }
}
