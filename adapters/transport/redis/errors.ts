/** Redis could not be reached when a head started: the head refuses to start rather than serve stale. */
export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(
      `cannot reach Redis at ${url}: ${(cause as Error)?.message ?? String(cause)} ` +
        '(start it, fix --redis, or run without --redis for a single in-process head)',
      { cause },
    );
  }
}
