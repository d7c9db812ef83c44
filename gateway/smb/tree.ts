/**
 * Shares and tree connects (MS-SMB2 §3.3.1.6 Per Share, §3.3.1.7 Per Tree Connect). A disk
 * share is a Backend (normally the SMB metadata cache over the upcall plugin) served from its
 * root; IPC$ is the named-pipe share every client connects to first (DFS referral, srvsvc).
 */
import type { Backend } from '../backend/backend';
import type { SmbSession } from './session';

export interface DiskShare {
  readonly kind: 'disk';
  readonly name: string;
  readonly backend: Backend;
  readonly readOnly: boolean;
}

export interface IpcShare {
  readonly kind: 'ipc';
  readonly name: 'IPC$';
}

export type Share = DiskShare | IpcShare;

/** MS-SMB2 §2.2.10 ShareType. */
export const SMB2_SHARE_TYPE_DISK = 0x01;
export const SMB2_SHARE_TYPE_PIPE = 0x02;

/** Share names are matched case-insensitively, as Windows and Samba do. */
export class ShareTable {
  private readonly byName = new Map<string, Share>();

  constructor(disks: readonly DiskShare[]) {
    this.byName.set('ipc$', { kind: 'ipc', name: 'IPC$' });
    for (const d of disks) {
      const key = d.name.toLowerCase();
      if (!d.name || /[\\/:*?"<>|]/.test(d.name)) throw new RangeError(`invalid share name '${d.name}'`);
      if (this.byName.has(key)) throw new RangeError(`share '${d.name}' is defined twice`);
      this.byName.set(key, d);
    }
  }

  get(name: string): Share | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** Disk shares, in definition order. */
  disks(): DiskShare[] {
    return [...this.byName.values()].filter((s): s is DiskShare => s.kind === 'disk');
  }
}

export class TreeConnect {
  constructor(
    readonly id: number,
    readonly share: Share,
    readonly session: SmbSession,
    /** MS-SMB2 §2.2.10 MaximalAccess: what any open on this tree may be granted at most. */
    readonly maximalAccess: number,
  ) {}

  /** The disk share, or undefined for IPC$. */
  get disk(): DiskShare | undefined {
    return this.share.kind === 'disk' ? this.share : undefined;
  }
}
