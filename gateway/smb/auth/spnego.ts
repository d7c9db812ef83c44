/**
 * SPNEGO (RFC 4178, with MS-SPNG's usage) in the four shapes an SMB server meets:
 * 1. the NEGOTIATE response's hint: GSS InitialContextToken [APPLICATION 0] { SPNEGO OID,
 *    negTokenInit { mechTypes = [NTLMSSP] } } (Samba's fixed negHints are left out; clients
 *    ignore them);
 * 2. the client's negTokenInit (mechTypes, optional mechToken and mechListMIC), GSS-wrapped or bare;
 * 3. the client's negTokenResp (responseToken, mechListMIC);
 * 4. our negTokenResp (negState, supportedMech, responseToken, mechListMIC — absent fields omitted).
 * Parsing is bounds-checked; anything else is a SpnegoError.
 */
import { ctx, DerTag, decodeOid, oid, readChildren, readOnly, readTlv, type Tlv, tlv } from './der';
import { SpnegoError } from './errors';

export const SPNEGO_OID = '1.3.6.1.5.5.2';
export const NTLMSSP_OID = '1.3.6.1.4.1.311.2.2.10';

/** RFC 4178 §4.2.2 negState values. */
export const NEG_STATES = ['accept-completed', 'accept-incomplete', 'reject', 'request-mic'] as const;
export type NegState = (typeof NEG_STATES)[number];

export interface NegTokenInit {
  mechTypes: string[];
  /** The DER MechTypeList exactly as received: what mechListMIC signs (RFC 4178 §5). */
  mechTypesDer: Buffer;
  mechToken?: Buffer;
  mechListMIC?: Buffer;
}

export interface NegTokenResp {
  negState?: NegState;
  supportedMech?: string;
  responseToken?: Buffer;
  mechListMIC?: Buffer;
}

export type SpnegoToken = { kind: 'init'; init: NegTokenInit } | { kind: 'resp'; resp: NegTokenResp };

/** Which codec a security token needs, from its first bytes. */
export function securityTokenKind(token: Buffer): 'ntlmssp' | 'spnego' | 'unknown' {
  if (token.length >= 8 && token.toString('latin1', 0, 8) === 'NTLMSSP\0') return 'ntlmssp';
  const b = token[0];
  return b === DerTag.APPLICATION_0 || b === ctx(0) || b === ctx(1) ? 'spnego' : 'unknown';
}

function octets(t: Tlv, what: string): Buffer {
  return readOnly(t.value, DerTag.OCTET_STRING, what).value;
}

function parseInit(seq: Buffer): NegTokenInit {
  let mechTypes: string[] | undefined;
  let mechTypesDer: Buffer | undefined;
  const out: Partial<NegTokenInit> = {};
  for (const el of readChildren(readOnly(seq, DerTag.SEQUENCE, 'negTokenInit').value)) {
    if (el.tag === ctx(0)) {
      const list = readOnly(el.value, DerTag.SEQUENCE, 'mechTypes');
      mechTypesDer = list.raw;
      mechTypes = readChildren(list.value, 32).map((m) => {
        if (m.tag !== DerTag.OID) throw new SpnegoError('mechTypes: element is not an OID');
        return decodeOid(m.value);
      });
    } else if (el.tag === ctx(2)) {
      out.mechToken = octets(el, 'mechToken');
    } else if ((el.tag === ctx(3) || el.tag === ctx(4)) && readTlv(el.value).tag === DerTag.OCTET_STRING) {
      // [3] in RFC 4178's NegTokenInit; [4] after MS-SPNG's negHints in NegTokenInit2.
      out.mechListMIC = octets(el, 'mechListMIC');
    }
    // reqFlags [1] and negHints [3] carry nothing we use.
  }
  if (!mechTypes || !mechTypesDer) throw new SpnegoError('negTokenInit without mechTypes');
  return { ...out, mechTypes, mechTypesDer };
}

function parseResp(seq: Buffer): NegTokenResp {
  const out: NegTokenResp = {};
  for (const el of readChildren(readOnly(seq, DerTag.SEQUENCE, 'negTokenResp').value)) {
    if (el.tag === ctx(0)) {
      const e = readOnly(el.value, DerTag.ENUMERATED, 'negState').value;
      const state = e.length === 1 ? NEG_STATES[e[0]!] : undefined;
      if (!state) throw new SpnegoError('negState: unknown value');
      out.negState = state;
    } else if (el.tag === ctx(1)) {
      out.supportedMech = decodeOid(readOnly(el.value, DerTag.OID, 'supportedMech').value);
    } else if (el.tag === ctx(2)) {
      out.responseToken = octets(el, 'responseToken');
    } else if (el.tag === ctx(3)) {
      out.mechListMIC = octets(el, 'mechListMIC');
    }
  }
  return out;
}

/** Parses a client token: [APPLICATION 0]-wrapped or bare negTokenInit, or a negTokenResp. */
export function parseSpnego(token: Buffer): SpnegoToken {
  let inner = token;
  if (token[0] === DerTag.APPLICATION_0) {
    const app = readOnly(token, DerTag.APPLICATION_0, 'InitialContextToken');
    const mech = readTlv(app.value);
    if (mech.tag !== DerTag.OID || decodeOid(mech.value) !== SPNEGO_OID) {
      throw new SpnegoError('InitialContextToken is not for SPNEGO');
    }
    inner = app.value.subarray(mech.raw.length);
    if (inner[0] !== ctx(0)) throw new SpnegoError('InitialContextToken does not hold a negTokenInit');
  }
  if (inner[0] === ctx(0))
    return { kind: 'init', init: parseInit(readOnly(inner, ctx(0), 'NegotiationToken').value) };
  if (inner[0] === ctx(1))
    return { kind: 'resp', resp: parseResp(readOnly(inner, ctx(1), 'NegotiationToken').value) };
  throw new SpnegoError('not a SPNEGO NegotiationToken');
}

/** The DER MechTypeList for a list of mechanism OIDs. */
export function encodeMechTypes(mechs: readonly string[]): Buffer {
  return tlv(DerTag.SEQUENCE, ...mechs.map(oid));
}

/** Shape 1: the security buffer of the SMB2 NEGOTIATE response (MS-SMB2 §3.3.5.3.1). */
export function buildNegTokenInitHint(mechs: readonly string[] = [NTLMSSP_OID]): Buffer {
  const init = tlv(ctx(0), tlv(DerTag.SEQUENCE, tlv(ctx(0), encodeMechTypes(mechs))));
  return tlv(DerTag.APPLICATION_0, oid(SPNEGO_OID), init);
}

/** Shape 4: our negTokenResp. */
export function buildNegTokenResp(r: NegTokenResp): Buffer {
  const fields: Buffer[] = [];
  if (r.negState !== undefined) {
    fields.push(tlv(ctx(0), tlv(DerTag.ENUMERATED, Buffer.of(NEG_STATES.indexOf(r.negState)))));
  }
  if (r.supportedMech !== undefined) fields.push(tlv(ctx(1), oid(r.supportedMech)));
  if (r.responseToken !== undefined) fields.push(tlv(ctx(2), tlv(DerTag.OCTET_STRING, r.responseToken)));
  if (r.mechListMIC !== undefined) fields.push(tlv(ctx(3), tlv(DerTag.OCTET_STRING, r.mechListMIC)));
  return tlv(ctx(1), tlv(DerTag.SEQUENCE, ...fields));
}
