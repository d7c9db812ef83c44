import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import type { UpcallOptions, UpcallOptionsInput } from '../../../upcall-core';
import { LEASE_MS } from './live-clients';
import { OPTIONS_LEASES } from './lua-scripts';

/** Shared options live this long past the last renewal of any head's leases (LIVE_LUA). */
const OPTIONS_TTL_MS = OPTIONS_LEASES * LEASE_MS;

export interface SharedOptionsHooks {
  /** Apply options another head set (not shared again). */
  apply(options: UpcallOptionsInput): void;
  /** This head's options now. */
  current(): UpcallOptions | undefined;
  warn(msg: string, err: unknown): void;
  /** A note for the operator (logged as a warning: a head's own flags were overridden). */
  log(msg: string, meta: object): void;
  /** Counted once per option change received or adopted. */
  changed(): void;
}

/**
 * The upcall options as the deployment's, through Redis: a change made at run time on one head
 * is stored under `ns options` and published on the channel of the same name; every other head
 * applies the broadcast, and a head that starts later, or comes back after a link drop that
 * cost it the broadcast, adopts the stored copy on (re)connecting. Start flags are not stored:
 * heads started without a run-time change keep their own.
 */
export class SharedOptions {
  /** This head's id in broadcasts (its own come back to it and are ignored). */
  private readonly instance = randomUUID();

  constructor(
    private readonly ns: string,
    private readonly cmd: () => Redis,
    private readonly hooks: SharedOptionsHooks,
  ) {}

  get channel(): string {
    return `${this.ns}options`;
  }

  /** Stores and publishes `options` (the link must be up; best effort, logged when it fails). */
  share(options: UpcallOptions): void {
    const m = JSON.stringify({ from: this.instance, options });
    this.cmd()
      .multi()
      .set(this.channel, m, 'PX', OPTIONS_TTL_MS)
      .publish(this.channel, m)
      .exec()
      .catch((err) => this.hooks.warn('sharing options failed', err));
  }

  /** A message on the options channel. */
  received(message: string): void {
    try {
      const m = JSON.parse(message) as { from: string; options: UpcallOptionsInput };
      if (m.from === this.instance) return;
      this.hooks.changed();
      this.hooks.apply(m.options);
    } catch (err) {
      this.hooks.warn('bad option broadcast ignored', err);
    }
  }

  /** After (re)connecting: the stored options, if any, win over this head's own. */
  async adopt(): Promise<void> {
    const stored = await this.cmd().get(this.channel);
    if (stored === null) return;
    let options: UpcallOptions;
    try {
      options = (JSON.parse(stored) as { options: UpcallOptions }).options;
    } catch (err) {
      this.hooks.warn('stored options unreadable; keeping this head’s', err);
      return;
    }
    const mine = this.hooks.current();
    if (mine && sameOptions(options, mine)) return;
    this.hooks.changed();
    this.hooks.log('options changed at run time on another head override this head’s', { options });
    this.hooks.apply(options);
  }
}

function sameOptions(a: UpcallOptions, b: UpcallOptions): boolean {
  return (Object.keys(a) as (keyof UpcallOptions)[]).every((k) => a[k] === b[k]);
}
