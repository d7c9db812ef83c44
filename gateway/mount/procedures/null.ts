import type { Procedure } from '../../rpc/types';

/** RFC 1813 §5.2.0 MOUNTPROC3_NULL: no arguments, no results. */
export const mountNull3: Procedure<undefined, undefined> = {
  name: 'NULL',
  decode: () => undefined,
  run: () => undefined,
  encode: () => {},
};
