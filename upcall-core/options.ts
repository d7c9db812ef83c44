import { InvalidOptionError } from './errors';

/** The two GlusterFS volume options, under their Gluster names. */
export interface UpcallOptions {
  /** Send cache-invalidation notifications at all. GlusterFS default: off. */
  readonly 'features.cache-invalidation': boolean;
  /** Seconds after a client's last access during which it is still notified. GlusterFS default: 60. */
  readonly 'features.cache-invalidation-timeout': number;
}

/** What callers may pass: Gluster-style strings ('on', '600') are accepted as well as typed values. */
export type UpcallOptionsInput = {
  readonly 'features.cache-invalidation'?: boolean | string;
  readonly 'features.cache-invalidation-timeout'?: number | string;
};

export const DEFAULT_OPTIONS: UpcallOptions = {
  'features.cache-invalidation': false,
  'features.cache-invalidation-timeout': 60,
};

/** A year: far beyond any sensible cache lifetime, and keeps T·2 in ms exact in a double. */
export const MAX_TIMEOUT_SECONDS = 365 * 24 * 3600;

const TRUE_WORDS = new Set(['on', 'true', 'yes', 'enable', 'enabled', '1']);
const FALSE_WORDS = new Set(['off', 'false', 'no', 'disable', 'disabled', '0']);
const KNOWN_KEYS = new Set(Object.keys(DEFAULT_OPTIONS));

function parseBool(key: string, v: boolean | string): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const w = v.trim().toLowerCase();
    if (TRUE_WORDS.has(w)) return true;
    if (FALSE_WORDS.has(w)) return false;
  }
  throw new InvalidOptionError(key, v, 'on/off (or true/false, yes/no, enable/disable, 1/0)');
}

function parseTimeout(key: string, v: number | string): number {
  const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_TIMEOUT_SECONDS) {
    throw new InvalidOptionError(key, v, `a whole number of seconds from 0 to ${MAX_TIMEOUT_SECONDS}`);
  }
  return n;
}

/**
 * Validates `input` on top of `base` and returns the complete option set. Unknown keys are
 * refused (a misspelt option silently ignored is how caches end up stale). Nothing is applied
 * unless every given value is valid.
 */
export function resolveOptions(
  input: UpcallOptionsInput,
  base: UpcallOptions = DEFAULT_OPTIONS,
): UpcallOptions {
  if (input === null || typeof input !== 'object') {
    throw new InvalidOptionError('options', input, 'an object of upcall options');
  }
  for (const key of Object.keys(input)) {
    if (!KNOWN_KEYS.has(key))
      throw new InvalidOptionError(key, (input as Record<string, unknown>)[key], 'a known option');
  }
  const enabled = input['features.cache-invalidation'];
  const timeout = input['features.cache-invalidation-timeout'];
  return {
    'features.cache-invalidation':
      enabled === undefined
        ? base['features.cache-invalidation']
        : parseBool('features.cache-invalidation', enabled),
    'features.cache-invalidation-timeout':
      timeout === undefined
        ? base['features.cache-invalidation-timeout']
        : parseTimeout('features.cache-invalidation-timeout', timeout),
  };
}
