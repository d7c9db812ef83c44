/** The ONC RPC v2 / XDR layer's public pieces (RFC 5531, RFC 4506). */

export { AUTH_SYS_MAX_GIDS, AUTH_SYS_MAX_MACHINE_NAME, decodeAuthSys, encodeAuthSys } from './auth-sys';
export * from './errors';
export type { ProgramVersion } from './program-table';
export {
  beginRecord,
  DEFAULT_MAX_FRAGMENTS,
  DEFAULT_MAX_RECORD_SIZE,
  endRecord,
  RecordDecoder,
  type RecordDecoderOptions,
  recordMark,
} from './record-marking';
export * from './rpc-constants';
export { CallHeader, decodeCallHeader } from './rpc-message';
export {
  DEFAULT_MAX_OUTSTANDING,
  DEFAULT_MAX_OUTSTANDING_BYTES,
  RpcServer,
  type RpcServerOptions,
} from './rpc-server';
export type * from './types';
export { createXdrReader, XdrReaderImpl } from './xdr-reader';
export { createXdrWriter, XdrWriterImpl } from './xdr-writer';
