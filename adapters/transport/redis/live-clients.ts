import type Redis from 'ioredis';

/** How long a lease lasts past its renewal, and how often it is renewed. */
export const LEASE_MS = 6000;
const RENEW_MS = 2000;

/**
 * Which clients have a head reading their deliveries, as leases in the `ns live` hash (Redis
 * clock). The change script asks for an acknowledgement only from targets holding a lease: a
 * client nobody reads (a watcher, which only originates changes; a head that was killed) would
 * otherwise make every change to its inodes wait the whole ack timeout. A killed head's leases
 * run out LEASE_MS after their last renewal; a head that closes removes its own.
 */
export class LiveClients {
  private readonly clients = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ns: string,
    private readonly cmd: () => Redis | undefined,
    private readonly lease: (args: (string | number)[]) => Promise<unknown>,
    private readonly onError: (err: unknown) => void,
  ) {}

  add(client: string): void {
    this.clients.set(client, (this.clients.get(client) ?? 0) + 1);
    this.send([client]);
    this.timer ??= setInterval(() => this.renew(), RENEW_MS).unref();
  }

  remove(client: string): void {
    const n = (this.clients.get(client) ?? 0) - 1;
    if (n > 0) {
      this.clients.set(client, n);
      return;
    }
    this.clients.delete(client);
    this.cmd()
      ?.hdel(`${this.ns}live`, client)
      .catch(() => {});
  }

  /** Renews every lease now (also after a reconnect: Redis may have restarted empty). */
  renew(): void {
    if (this.clients.size > 0) this.send([...this.clients.keys()]);
  }

  private send(clients: string[]): void {
    if (this.cmd()?.status !== 'ready') return; // renewed by resync once the link is back
    this.lease([this.ns, LEASE_MS, ...clients]).catch(this.onError);
  }

  /** Stops renewing and withdraws this head's leases, so other heads stop waiting for it at once. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const mine = [...this.clients.keys()];
    this.clients.clear();
    const cmd = this.cmd();
    if (mine.length > 0 && cmd?.status === 'ready') await cmd.hdel(`${this.ns}live`, ...mine).catch(() => {});
  }
}
