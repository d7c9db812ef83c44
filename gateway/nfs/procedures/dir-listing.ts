import type { Attrs, Ino } from '../../backend/attrs';
import type { DirEntry } from '../../backend/backend';
import type { Nfs3Call } from '../nfs3-procedure';
import { Nfs3Error, Nfs3Stat } from '../nfs3-status';

/**
 * The page filling READDIR (RFC 1813 §3.3.16) and READDIRPLUS (§3.3.17) share: pull entries
 * from the backend until the reply's byte budget is spent or the directory ends.
 *
 * Cookies are the backend's; the cookie verifier is the backend's directory verifier. A
 * nonzero cookie with a nonzero verifier that is not the directory's current one is
 * NFS3ERR_BAD_COOKIE (§3.3.16). A zero verifier with a nonzero cookie is accepted: some
 * clients never echo it, and the backend's cookie is still checked by the backend itself.
 */

export interface Budget {
  /** What the whole reply may take (count / maxcount), XDR overhead included. */
  readonly maxBytes: number;
  /** READDIRPLUS dircount: bytes of fileid + name + cookie only. */
  readonly dirBytes?: number;
  /** Bytes of the reply besides the entries (status, dir attributes, verifier, list end, eof). */
  readonly fixed: number;
  /** Reply bytes one entry takes, and its share of dirBytes. */
  cost(entry: DirEntry, nameBytes: number): { readonly reply: number; readonly dir: number };
  /** A guess at one entry's reply size, to size the backend requests. */
  readonly typicalEntry: number;
}

export interface Listing {
  readonly entries: DirEntry[];
  readonly eof: boolean;
  readonly verifier: bigint;
  readonly dirAttrs: Attrs;
}

/** At most this many backend pages per call: a budget of tiny entries cannot loop for long. */
const MAX_BACKEND_PAGES = 16;
const MAX_ENTRIES_PER_PAGE = 4096;

export async function listDirectory(
  call: Nfs3Call,
  dir: Ino,
  cookie: bigint,
  cookieverf: Buffer,
  withAttrs: boolean,
  budget: Budget,
): Promise<Listing> {
  const clientVerf = cookieverf.readBigUInt64BE(0);
  let replyLeft = budget.maxBytes - budget.fixed;
  let dirLeft = budget.dirBytes ?? Number.POSITIVE_INFINITY;
  if (replyLeft <= 0)
    throw new Nfs3Error(Nfs3Stat.NFS3ERR_TOOSMALL, `count ${budget.maxBytes} below overhead`);

  const entries: DirEntry[] = [];
  let at = cookie;
  let verifier: bigint | undefined;
  let dirAttrs: Attrs | undefined;
  for (let pages = 0; pages < MAX_BACKEND_PAGES; pages++) {
    const want = Math.min(MAX_ENTRIES_PER_PAGE, Math.ceil(replyLeft / budget.typicalEntry) + 1);
    const page = await call.backend.readdir(dir, at, want, withAttrs, call.cred);
    if (verifier === undefined) {
      if (cookie !== 0n && clientVerf !== 0n && page.verifier !== clientVerf) {
        throw new Nfs3Error(Nfs3Stat.NFS3ERR_BAD_COOKIE, 'cookie verifier is not the directory’s');
      }
      verifier = page.verifier;
    } else if (page.verifier !== verifier) {
      // The directory changed under this very call: stop here; the client's next call decides.
      return { entries, eof: false, verifier, dirAttrs: dirAttrs! };
    }
    dirAttrs = page.dirAttrs;
    for (const e of page.entries) {
      const { reply, dir: d } = budget.cost(e, Buffer.byteLength(e.name, 'utf8'));
      if (reply > replyLeft || d > dirLeft) {
        // §3.3.16: not even one entry fits — NFS3ERR_TOOSMALL.
        if (entries.length === 0) throw new Nfs3Error(Nfs3Stat.NFS3ERR_TOOSMALL, 'no entry fits the count');
        return { entries, eof: false, verifier, dirAttrs };
      }
      replyLeft -= reply;
      dirLeft -= d;
      entries.push(e);
    }
    if (page.eof) return { entries, eof: true, verifier, dirAttrs };
    const last = page.entries[page.entries.length - 1];
    if (last === undefined) {
      // An empty page that is not the end: we could not move on, and neither could the client.
      if (entries.length === 0) throw new Error('backend readdir returned an empty page before eof');
      break;
    }
    at = last.cookie;
  }
  return { entries, eof: false, verifier: verifier!, dirAttrs: dirAttrs! };
}

/** XDR size of a string or opaque of `n` bytes: length word plus padded bytes. */
export function xdrSized(n: number): number {
  return 4 + ((n + 3) & ~3);
}
