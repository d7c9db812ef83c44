/**
 * The command table: one entry per SMB2 command code (MS-SMB2 §2.2.1.2), dense and indexed by
 * code. `satisfies` makes the compiler check that every code has its command; the dispatcher
 * answers a code past the end STATUS_NOT_SUPPORTED.
 */
import { Smb2Command } from '../header';
import { cancel } from './cancel';
import { changeNotify } from './change-notify';
import { close } from './close';
import type { SmbCommand } from './command';
import { create } from './create';
import { echo } from './echo';
import { flush } from './flush';
import { ioctl } from './ioctl';
import { lock } from './lock';
import { logoff } from './logoff';
import { negotiate } from './negotiate';
import { oplockBreak } from './oplock-break';
import { queryDirectory } from './query-directory';
import { queryInfo } from './query-info';
import { read } from './read';
import { sessionSetup } from './session-setup';
import { setInfo } from './set-info';
import { treeConnect } from './tree-connect';
import { treeDisconnect } from './tree-disconnect';
import { write } from './write';

const BY_CODE = {
  [Smb2Command.NEGOTIATE]: negotiate,
  [Smb2Command.SESSION_SETUP]: sessionSetup,
  [Smb2Command.LOGOFF]: logoff,
  [Smb2Command.TREE_CONNECT]: treeConnect,
  [Smb2Command.TREE_DISCONNECT]: treeDisconnect,
  [Smb2Command.CREATE]: create,
  [Smb2Command.CLOSE]: close,
  [Smb2Command.FLUSH]: flush,
  [Smb2Command.READ]: read,
  [Smb2Command.WRITE]: write,
  [Smb2Command.LOCK]: lock,
  [Smb2Command.IOCTL]: ioctl,
  [Smb2Command.CANCEL]: cancel,
  [Smb2Command.ECHO]: echo,
  [Smb2Command.QUERY_DIRECTORY]: queryDirectory,
  [Smb2Command.CHANGE_NOTIFY]: changeNotify,
  [Smb2Command.QUERY_INFO]: queryInfo,
  [Smb2Command.SET_INFO]: setInfo,
  [Smb2Command.OPLOCK_BREAK]: oplockBreak,
} satisfies Record<Smb2Command, SmbCommand>;

export const COMMANDS: readonly SmbCommand[] = Object.freeze(
  Object.entries(BY_CODE)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, c]) => c),
);
