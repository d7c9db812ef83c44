import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Subscription } from 'rxjs';
import type { MetaCache } from '../gateway/cache/meta-cache';
import { flagNames, type UpcallCore, type UpcallStats } from '../upcall-core';

/** What a head exposes for Prometheus; `redis` only when the core's store is Redis. */
export interface HeadMetricsSources {
  readonly headId: string;
  readonly core: UpcallCore;
  /** The cache holder the NFS adapter subscribes as (its deliveries are counted and timed). */
  readonly client: string;
  readonly cache: MetaCache;
  readonly redis?: { readonly counters: Record<string, number>; readonly linkState: string };
  /** The export watcher's stats, when the head runs one (numbers are counters, booleans states). */
  readonly watcher?: () => Readonly<Record<string, number | boolean>>;
}

export interface HeadMetrics {
  readonly registry: Registry;
  /** The exposition text (GET /metrics). */
  text(): Promise<string>;
  close(): void;
}

/** Lag buckets, seconds: the interesting range is 0.1–1 ms (GlusterFS's upcall: 0.28 ms p50). */
const LAG_BUCKETS = [0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1];

/**
 * A head's Prometheus metrics (prom-client): the core's counters and gauges read from `stats()`
 * when scraped (nothing added to the hot path), the cache's from `MetaCache.stats()`, and what
 * the head's cache holder receives — by flag, flush-alls by reason, and the delivery lag (from
 * the change's time at the store to its arrival here) — counted on a second subscription to the
 * holder's stream. Every series carries `head`.
 */
export function createHeadMetrics(s: HeadMetricsSources): HeadMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ head: s.headId });
  collectDefaultMetrics({ register: registry, prefix: 'upcall_' });
  let stats: UpcallStats = s.core.stats();
  const fresh = () => {
    stats = s.core.stats();
    return stats;
  };

  const fromStats = (name: string, help: string, pick: (st: UpcallStats) => number | undefined) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(pick(fresh()) ?? 0);
      },
    });
  const byLabel = (name: string, help: string, label: string, pick: () => Record<string, number>) =>
    new Counter({
      name,
      help,
      labelNames: [label],
      registers: [registry],
      collect() {
        this.reset();
        for (const [k, v] of Object.entries(pick())) this.inc({ [label]: k }, v);
      },
    });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });

  fromStats(
    'upcall_changes_total',
    'Changes (modifying fops) reported to the core by this head',
    (x) => x.changes,
  );
  byLabel(
    'upcall_notifications_sent_total',
    'Invalidations this head decided or published, per flag bit',
    'flag',
    () => fresh().notificationsByFlag,
  );
  fromStats(
    'upcall_coalesced_total',
    'Events merged into one still waiting for the same inode',
    (x) => x.coalesced,
  );
  fromStats('upcall_overflowed_total', 'Client queues that overflowed into a flush-all', (x) => x.overflowed);
  fromStats(
    'upcall_undeliverable_total',
    'Invalidations for clients with no subscriber',
    (x) => x.undeliverable,
  );
  fromStats('upcall_subscriber_errors_total', 'Subscribers (adapters) that threw', (x) => x.subscriberErrors);
  fromStats(
    'upcall_publish_failures_total',
    'Changes not published at once (store link down)',
    (x) => x.publishFailures,
  );
  gauge(
    'upcall_tracked_inodes',
    'Inodes tracked (Redis: registrations this head keeps fresh)',
    () => stats.trackedInodes,
  );
  gauge('upcall_client_entries', 'Client entries in the table (Redis: as above)', () => stats.clientEntries);
  gauge('upcall_clients', 'Clients known to this head', () => stats.clients);
  gauge('upcall_subscribed_clients', 'Clients with a subscriber on this head', () => stats.subscribedClients);

  const received = new Counter({
    name: 'upcall_notifications_received_total',
    help: 'Invalidations delivered to this head’s cache holder, per flag bit',
    labelNames: ['flag'],
    registers: [registry],
  });
  const flushes = new Counter({
    name: 'upcall_flush_all_total',
    help: 'Flush-all deliveries to this head’s cache holder, by reason',
    labelNames: ['reason'],
    registers: [registry],
  });
  const lag = new Histogram({
    name: 'upcall_delivery_lag_seconds',
    help: 'From a change at the store (or in-process core) to its delivery here',
    buckets: LAG_BUCKETS,
    registers: [registry],
  });
  const sub: Subscription = s.core.events(s.client).subscribe((ev) => {
    if (ev.kind === 'flush-all') {
      flushes.inc({ reason: ev.reason });
      return;
    }
    for (const f of flagNames(ev.flags)) received.inc({ flag: f });
    lag.observe(Math.max(0, performance.timeOrigin + performance.now() - ev.at) / 1000);
  });

  const cacheBy = (name: string, help: string, pick: () => Record<string, number>) =>
    byLabel(name, help, 'kind', pick);
  cacheBy('upcall_cache_hits_total', 'Metadata cache hits', () => s.cache.stats().hits);
  cacheBy('upcall_cache_misses_total', 'Metadata cache misses', () => s.cache.stats().misses);
  cacheBy(
    'upcall_cache_evictions_total',
    'Metadata cache evictions (upcalls, flushes)',
    () => s.cache.stats().evictions,
  );
  new Gauge({
    name: 'upcall_cache_entries',
    help: 'Entries in the metadata cache',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      for (const [k, v] of Object.entries(s.cache.stats().entries)) this.set({ kind: k }, v);
    },
  });
  gauge(
    'upcall_cache_ttl_seconds',
    'Current lifetime of a cache entry (0: not caching)',
    () => s.cache.ttlMs / 1000,
  );

  const redis = s.redis;
  if (redis) {
    gauge('upcall_redis_up', '1 while the link to Redis is up and resynchronised', () =>
      redis.linkState === 'up' ? 1 : 0,
    );
    byLabel(
      'upcall_redis_events_total',
      'Redis link events (resyncs, gaps, epoch changes...)',
      'event',
      () => ({
        ...redis.counters,
      }),
    );
  }

  const watcher = s.watcher;
  if (watcher) {
    // Counters only: the stats also hold gauges (pending, knownPaths) and maxima, which are not.
    const COUNTED = ['events', 'sent', 'suppressed', 'forgets', 'overflows', 'flushAlls', 'polledChanges'];
    byLabel('upcall_watcher_events_total', 'Export watcher: events seen, sent, suppressed…', 'event', () => {
      const w = watcher();
      return Object.fromEntries(
        COUNTED.filter((k) => typeof w[k] === 'number').map((k) => [k, w[k] as number]),
      );
    });
    gauge('upcall_watcher_watching', '1 while this head watches the export (elected, invalidation on)', () =>
      watcher().watching === true ? 1 : 0,
    );
    gauge(
      'upcall_watcher_window_ms',
      "The export watcher's batch window now, ms (stretched while all it sees is the gateway's own writes)",
      () => Number(watcher().windowMs ?? 0),
    );
  }

  return {
    registry,
    text: () => registry.metrics(),
    close() {
      sub.unsubscribe();
      registry.clear();
    },
  };
}
