import type { Procedure } from '../../rpc/types';

/**
 * RFC 1813 §3.3.0 NULL: no arguments, no results, no status. Clients ping with it and it must
 * answer even for a client no export admits.
 */
export const null3: Procedure<undefined, undefined> = {
  name: 'NULL',
  decode: () => undefined,
  run: () => undefined,
  encode: () => {},
};
