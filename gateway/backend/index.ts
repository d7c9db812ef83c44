/**
 * The gateway's storage seam and its POSIX implementation. Protocol servers import from here:
 * the Backend interface and types, BackendError, PosixBackend, and the HandleCodec it offers.
 */
export * from './access-bits';
export * from './attrs';
export type * from './backend';
export { checkName, entryName, NAME_MAX_BYTES } from './confine';
export * from './errors';
export {
  type DecodedHandle,
  deriveHandleKey,
  type HandleCodec,
  HandleCoder,
  type HandleIdentity,
  MAX_HANDLE_BYTES,
} from './handle-codec';
export { bytesOfName, nameFromBytes } from './names';
export * from './permission';
export { PosixBackend, type PosixBackendOptions } from './posix-backend';
