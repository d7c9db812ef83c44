/**
 * The typed errors of the SMB authentication layer. Parsers of client tokens throw only these;
 * the NTLM server turns each into a 'denied' result with the message as the log reason, so no
 * malformed token ever escapes as an exception.
 */

/** A token that is not a well-formed NTLMSSP message (MS-NLMP §2.2): bad signature, type, or a field outside the message. */
export class NtlmMessageError extends Error {
  override readonly name = 'NtlmMessageError';
}

/** A token that is not well-formed DER / SPNEGO (RFC 4178, RFC 2743 §3.1). */
export class SpnegoError extends Error {
  override readonly name = 'SpnegoError';
}

/** Bad server configuration (a user with neither password nor NT hash, a malformed hash): thrown at construction. */
export class NtlmConfigError extends Error {
  override readonly name = 'NtlmConfigError';
}
