/** The ONC RPC v2 / XDR layer's public pieces (RFC 5531, RFC 4506). */
export * from './errors';
export * from './rpc-constants';
export type * from './types';
export { createXdrReader, XdrReaderImpl } from './xdr-reader';
export { createXdrWriter, XdrWriterImpl } from './xdr-writer';
