/**
 * The NTLM acceptor SMB2 SESSION_SETUP drives (MS-SMB2 §3.3.5.5, MS-NLMP §3.2, MS-SPNG §3.2.5).
 *
 * `NtlmServer` holds what all sessions share (users, names, policy); `createSession()` gives a
 * per-SESSION_SETUP-exchange state machine whose `accept(token)` takes each client security
 * buffer and answers:
 * - 'continue' + responseToken → STATUS_MORE_PROCESSING_REQUIRED;
 * - 'ok' (+ responseToken under SPNEGO) → STATUS_SUCCESS, `sessionKey` is the SMB session key;
 * - 'denied' + code + reason → STATUS_LOGON_FAILURE (or similar), `reason` is for the log.
 * It answers in kind: a bare NTLMSSP token (Node SMB clients) gets bare tokens back; a SPNEGO
 * token (smbclient, Windows) gets negTokenResp. `accept` never throws.
 */
import { randomBytes } from 'node:crypto';
import { buildAvPairs, fileTimeBytes, fileTimeFromMs, stringPair } from './av-pairs';
import { NtlmMessageError, SpnegoError } from './errors';
import { AvId, DEFAULT_NTLM_VERSION, NtlmFlag } from './ntlm-constants';
import { buildChallenge, chooseChallengeFlags, parseNegotiate } from './ntlm-messages';
import { NtlmSecurityContext } from './ntlm-security';
import { type NtlmUserConfig, NtlmUserTable } from './ntlm-users';
import { type DenyCode, verifyAuthenticate } from './ntlm-verify';
import { buildNegTokenResp, type NegTokenResp, NTLMSSP_OID, parseSpnego, securityTokenKind } from './spnego';

export interface NtlmServerOptions {
  users: readonly NtlmUserConfig[] | NtlmUserTable;
  /** NetBIOS computer name; also the CHALLENGE's TargetName (we are a TARGET_TYPE_SERVER). */
  nbComputerName: string;
  /** NetBIOS domain (workgroup) name; default 'WORKGROUP'. */
  nbDomainName?: string;
  /** Defaults: the NetBIOS names in lower case. */
  dnsComputerName?: string;
  dnsDomainName?: string;
  /** Accept 24-byte NTLMv1 responses (with or without ESS). Off by default, as on Windows. */
  allowNtlmV1?: boolean;
  /** Accept anonymous (null-session) logons as guest. Unknown users are never mapped to guest. */
  allowGuest?: boolean;
  /** CHALLENGE VERSION field (8 bytes). */
  version?: Buffer;
  /** Test hooks: the server challenge source and the MsvAvTimestamp clock (FILETIME). */
  randomBytes?: (n: number) => Buffer;
  fileTime?: () => bigint;
}

export type NtlmAcceptResult =
  | { status: 'continue'; responseToken: Buffer }
  | {
      status: 'ok';
      responseToken?: Buffer;
      /** The exported session key; undefined for an anonymous (guest) logon, which cannot sign. */
      sessionKey?: Buffer;
      user: string;
      domain: string;
      workstation: string;
      guest: boolean;
      ntlmVersion: 0 | 1 | 2;
    }
  | {
      status: 'denied';
      code: DenyCode;
      reason: string;
      responseToken?: Buffer;
      user?: string;
      domain?: string;
    };

export class NtlmServer {
  readonly users: NtlmUserTable;
  readonly opts: Required<Omit<NtlmServerOptions, 'users'>>;

  constructor(o: NtlmServerOptions) {
    this.users = o.users instanceof NtlmUserTable ? o.users : new NtlmUserTable(o.users);
    const nbDomainName = o.nbDomainName ?? 'WORKGROUP';
    this.opts = {
      nbComputerName: o.nbComputerName,
      nbDomainName,
      dnsComputerName: o.dnsComputerName ?? o.nbComputerName.toLowerCase(),
      dnsDomainName: o.dnsDomainName ?? nbDomainName.toLowerCase(),
      allowNtlmV1: o.allowNtlmV1 ?? false,
      allowGuest: o.allowGuest ?? false,
      version: o.version ?? DEFAULT_NTLM_VERSION,
      randomBytes: o.randomBytes ?? randomBytes,
      fileTime: o.fileTime ?? (() => fileTimeFromMs(Date.now())),
    };
  }

  createSession(): NtlmServerSession {
    return new NtlmServerSession(this);
  }
}

type State = 'start' | 'await-negotiate' | 'challenged' | 'done';

interface Challenged {
  negotiate: Buffer;
  challenge: Buffer;
  serverChallenge: Buffer;
  flags: number;
}

export class NtlmServerSession {
  private state: State = 'start';
  private spnego = false;
  /** SPNEGO: the client's DER mechTypes (what mechListMIC covers) and whether NTLMSSP was its first choice. */
  private mechTypesDer?: Buffer;
  private ntlmFirst = true;
  private sent?: Challenged;

  constructor(private readonly server: NtlmServer) {}

  accept(token: Buffer): NtlmAcceptResult {
    if (this.state === 'done')
      return this.deny('PROTOCOL', 'authentication already finished on this session');
    try {
      return this.step(token);
    } catch (e) {
      if (e instanceof NtlmMessageError || e instanceof SpnegoError) return this.deny('MALFORMED', e.message);
      return this.deny('INTERNAL', `internal error: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private step(token: Buffer): NtlmAcceptResult {
    if (this.state === 'start') {
      const kind = securityTokenKind(token);
      if (kind === 'unknown')
        return this.deny('MALFORMED', `unrecognised security token (${token.length} bytes)`);
      this.spnego = kind === 'spnego';
      if (!this.spnego) return { status: 'continue', responseToken: this.challenge(token) };
      const t = parseSpnego(token);
      if (t.kind !== 'init') return this.deny('PROTOCOL', 'SPNEGO negTokenResp before any negTokenInit');
      if (!t.init.mechTypes.includes(NTLMSSP_OID)) {
        return this.deny(
          'NO_COMMON_MECH',
          `no common mechanism (client offers ${t.init.mechTypes.join(', ')})`,
        );
      }
      this.mechTypesDer = t.init.mechTypesDer;
      this.ntlmFirst = t.init.mechTypes[0] === NTLMSSP_OID;
      // An optimistic token for another mechanism is dropped; the client then sends NTLM NEGOTIATE.
      if (!this.ntlmFirst || !t.init.mechToken) {
        this.state = 'await-negotiate';
        return this.cont({ negState: 'accept-incomplete', supportedMech: NTLMSSP_OID });
      }
      const challenge = this.challenge(t.init.mechToken);
      return this.cont({
        negState: 'accept-incomplete',
        supportedMech: NTLMSSP_OID,
        responseToken: challenge,
      });
    }
    const resp = this.spnego ? this.negTokenResp(token) : undefined;
    const ntlm = resp ? resp.responseToken : token;
    if (ntlm === undefined) return this.deny('PROTOCOL', 'SPNEGO negTokenResp without a responseToken');
    if (this.state === 'await-negotiate')
      return this.cont({ negState: 'accept-incomplete', responseToken: this.challenge(ntlm) });
    return this.authenticate(ntlm, resp?.mechListMIC);
  }

  private negTokenResp(token: Buffer): NegTokenResp {
    const t = parseSpnego(token);
    if (t.kind !== 'resp') throw new SpnegoError('expected a negTokenResp after the first leg');
    return t.resp;
  }

  /** NEGOTIATE in, CHALLENGE out (MS-NLMP §3.2.5.1.1). */
  private challenge(negotiateToken: Buffer): Buffer {
    const neg = parseNegotiate(negotiateToken);
    const o = this.server.opts;
    const flags = chooseChallengeFlags(neg.flags);
    const serverChallenge = Buffer.from(o.randomBytes(8));
    const targetInfo = buildAvPairs([
      stringPair(AvId.MsvAvNbDomainName, o.nbDomainName),
      stringPair(AvId.MsvAvNbComputerName, o.nbComputerName),
      stringPair(AvId.MsvAvDnsDomainName, o.dnsDomainName),
      stringPair(AvId.MsvAvDnsComputerName, o.dnsComputerName),
      // The timestamp is what makes clients add a MIC (and so, under SPNEGO, a mechListMIC).
      { id: AvId.MsvAvTimestamp, value: fileTimeBytes(o.fileTime()) },
    ]);
    const challenge = buildChallenge({
      flags,
      serverChallenge,
      targetName: o.nbComputerName,
      targetInfo,
      version: o.version,
    });
    this.sent = { negotiate: negotiateToken, challenge, serverChallenge, flags };
    this.state = 'challenged';
    return challenge;
  }

  /** AUTHENTICATE in: verify, then (SPNEGO) check the client's mechListMIC and sign ours. */
  private authenticate(ntlm: Buffer, clientMic: Buffer | undefined): NtlmAcceptResult {
    const sent = this.sent!;
    const o = this.server.opts;
    const r = verifyAuthenticate({
      ...sent,
      challengeFlags: sent.flags,
      authenticate: ntlm,
      users: this.server.users,
      allowNtlmV1: o.allowNtlmV1,
      allowGuest: o.allowGuest,
    });
    if (!r.ok) return this.deny(r.code, r.reason, r.user, r.domain);
    const who = { user: r.user, domain: r.domain };
    let responseToken: Buffer | undefined;
    if (this.spnego) {
      const resp: NegTokenResp = { negState: 'accept-completed' };
      // MS-SPNG §3.2.5.1 / RFC 4178 §5: with an NTLM MIC (or NTLMSSP not first) the mechListMIC is mandatory.
      if (!r.anonymous && (clientMic || r.micPresent || !this.ntlmFirst)) {
        if (!clientMic)
          return this.deny('MECHLISTMIC_MISSING', `no mechListMIC from user "${r.user}"`, r.user, r.domain);
        if (!(r.flags & NtlmFlag.NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY)) {
          return this.deny(
            'PROTOCOL',
            `mechListMIC without extended session security from "${r.user}"`,
            r.user,
            r.domain,
          );
        }
        const ctx = new NtlmSecurityContext(r.exportedSessionKey!, r.flags, 'server');
        if (!ctx.verify(this.mechTypesDer!, clientMic)) {
          return this.deny('BAD_MECHLISTMIC', `bad mechListMIC from user "${r.user}"`, r.user, r.domain);
        }
        resp.mechListMIC = ctx.sign(this.mechTypesDer!);
      }
      responseToken = buildNegTokenResp(resp);
    }
    this.state = 'done';
    return {
      status: 'ok',
      ...(responseToken ? { responseToken } : {}),
      ...(r.exportedSessionKey ? { sessionKey: r.exportedSessionKey } : {}),
      ...who,
      workstation: r.workstation,
      guest: r.anonymous,
      ntlmVersion: r.ntlmVersion,
    };
  }

  private cont(resp: NegTokenResp): NtlmAcceptResult {
    return { status: 'continue', responseToken: buildNegTokenResp(resp) };
  }

  private deny(code: DenyCode, reason: string, user?: string, domain?: string): NtlmAcceptResult {
    this.state = 'done';
    const d: NtlmAcceptResult = { status: 'denied', code, reason };
    if (user !== undefined) d.user = user;
    if (domain !== undefined) d.domain = domain;
    if (this.spnego) d.responseToken = buildNegTokenResp({ negState: 'reject' });
    return d;
  }
}
