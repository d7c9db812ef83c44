import { readFile, stat } from 'node:fs/promises';
import { hostname } from 'node:os';

const BOOT_ID = '/proc/sys/kernel/random/boot_id';

/**
 * What one export watcher covers: every write to this directory tree that this kernel sees.
 * inotify reports changes per inode, whatever the path or mount they were made through, so heads
 * on one kernel (one machine, or containers sharing a host's kernel) watching the same directory
 * need one watcher between them, and heads on different kernels each need their own. The key is
 * the kernel's boot id (a fresh random id per boot, one per kernel) and the export root's device
 * and inode numbers, so neither hostnames (containers, cloned VMs often share them) nor mount
 * paths (the same directory mounted at different places) can merge or split watchers wrongly.
 * Without a boot id (not Linux) the hostname stands in for it.
 */
export async function watchDomain(exportPath: string): Promise<string> {
  const kernel = await readFile(BOOT_ID, 'utf8').then(
    (id) => id.trim(),
    () => `host-${hostname()}`,
  );
  const st = await stat(exportPath, { bigint: true });
  return `${kernel}:${st.dev}:${st.ino}`;
}
