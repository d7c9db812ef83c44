/** The SMB security layer's crypto primitives: what Node 20's default OpenSSL lacks, and SMB's KDF and signing. */

export { aesCmac, cmacSubkeys } from './aes-cmac';
export {
  aeadDecrypt,
  aeadEncrypt,
  aesGmac,
  CipherId,
  type CipherName,
  cipherById,
  cipherKeySize,
  nonceSize,
  TAG_SIZE,
} from './cipher';
export { desEncryptBlock, expandDesKey } from './des';
export {
  cString,
  type DeriveSmb3KeysOptions,
  deriveSmb3Keys,
  kdfCounterHmacSha256,
  type Smb3Dialect,
  type Smb3Keys,
} from './kdf';
export { md4 } from './md4';
export { PREAUTH_HASH_SIZE, PreauthHash, preauthHashStep } from './preauth-hash';
export { Rc4, rc4 } from './rc4';
export {
  computeSignature,
  FLAGS_OFFSET,
  gmacNonce,
  SIGNATURE_OFFSET,
  SIGNATURE_SIZE,
  type SigningAlgorithm,
  SMB2_FLAGS_SIGNED,
  SMB2_HEADER_SIZE,
  signingAlgorithmFor,
  signMessage,
  verifySignature,
} from './signing';
