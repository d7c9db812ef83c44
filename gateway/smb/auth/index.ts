/** SMB authentication: NTLMSSP (MS-NLMP) server side inside SPNEGO (RFC 4178) or bare. */

export { type AvPair, buildAvPairs, parseAvPairs } from './av-pairs';
export { NtlmConfigError, NtlmMessageError, SpnegoError } from './errors';
export { AvId, NtlmFlag, NtlmMessageType } from './ntlm-constants';
export { ntowfv1, ntowfv2 } from './ntlm-crypto';
export {
  type AuthenticateMessage,
  buildChallenge,
  type ChallengeParams,
  chooseChallengeFlags,
  type NegotiateMessage,
  parseAuthenticate,
  parseNegotiate,
} from './ntlm-messages';
export { NtlmSecurityContext, ntlmDirectionKeys } from './ntlm-security';
export {
  type NtlmAcceptResult,
  NtlmServer,
  type NtlmServerOptions,
  NtlmServerSession,
} from './ntlm-server';
export { type NtlmUserConfig, NtlmUserTable } from './ntlm-users';
export { type DenyCode, type VerifyInput, type VerifyResult, verifyAuthenticate } from './ntlm-verify';
export {
  buildNegTokenInitHint,
  buildNegTokenResp,
  encodeMechTypes,
  type NegState,
  type NegTokenInit,
  type NegTokenResp,
  NTLMSSP_OID,
  parseSpnego,
  SPNEGO_OID,
  securityTokenKind,
} from './spnego';
