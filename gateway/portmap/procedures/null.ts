/**
 * RFC 1833 §3.2, PMAPPROC_NULL (0): no arguments, no results; clients ping with it.
 */
import type { Procedure } from '../../rpc/types';

export const pmapNull: Procedure<void, void> = {
  name: 'NULL',
  decode: () => undefined,
  run: () => undefined,
  encode: () => {},
};
