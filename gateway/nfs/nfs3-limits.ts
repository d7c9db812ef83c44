/**
 * Numbers the NFSv3 program advertises and enforces, in one place (RFC 1813 §3.3.19 FSINFO,
 * §3.3.20 PATHCONF, §2.4 sizes).
 */

export const NFS_PROGRAM = 100003;
export const NFS_V3 = 3;

/** RFC 1813 §2.4: NFS3_FHSIZE, the largest nfs_fh3. */
export const NFS3_FHSIZE = 64;
/** RFC 1813 §2.4: NFS3_COOKIEVERFSIZE, NFS3_CREATEVERFSIZE, NFS3_WRITEVERFSIZE. */
export const NFS3_VERFSIZE = 8;

/** Longest component name we accept (PATHCONF name_max); longer is NFS3ERR_NAMETOOLONG. */
export const NAME_MAX = 255;
/**
 * Longest name we decode at all. Between NAME_MAX and this we answer NAMETOOLONG rather than
 * GARBAGE_ARGS, so a client sees the status the RFC promises.
 */
export const NAME_WIRE_MAX = 1024;
/** Longest symlink target / path (MAXPATHLEN). */
export const PATH_MAX = 4096;

const MiB = 1024 * 1024;

/** Largest READ/WRITE payload. READ counts above it are clamped; larger WRITE data is refused. */
export const RTMAX = MiB;
export const WTMAX = MiB;
/**
 * Preferred sizes. Linux uses rtpref/wtpref as its default rsize/wsize and libnfs uses the maxima,
 * so pref = max = 1 MiB: each call costs this server a fixed few tens of µs of JS work (decode,
 * promise hops, reply header), which 1 MiB transfers amortize 16x better than 64 KiB ones. A
 * client that wants small transfers still asks for them (count is a maximum, not a minimum).
 */
export const RTPREF = MiB;
export const WTPREF = MiB;
/** Page-sized multiples keep the backend's reads and writes aligned. */
export const RTMULT = 4096;
export const WTMULT = 4096;
/** Preferred READDIR size. */
export const DTPREF = 64 * 1024;
/** Offsets are JS numbers on the way to fs: 2^53 - 1 is the largest file we can address. */
export const MAX_FILE_SIZE = Number.MAX_SAFE_INTEGER;
export const LINK_MAX = 32000;
/**
 * FSINFO time_delta, "the granularity the server preserves when setting times" (§3.3.19).
 * Stat reports nanoseconds, but Node's utimes goes through libuv, which keeps microseconds
 * (measured: 42 ns set comes back as 0), so promising 1 ns would be a lie a client could see.
 */
export const TIME_DELTA_NSEC = 1000;

/** RFC 1813 §3.3.19 FSINFO properties bits. */
export const FSF3_LINK = 0x0001;
export const FSF3_SYMLINK = 0x0002;
export const FSF3_HOMOGENEOUS = 0x0008;
export const FSF3_CANSETTIME = 0x0010;

/** RFC 1813 §3.3.4 ACCESS bits. */
export const ACCESS3_READ = 0x0001;
export const ACCESS3_LOOKUP = 0x0002;
export const ACCESS3_MODIFY = 0x0004;
export const ACCESS3_EXTEND = 0x0008;
export const ACCESS3_DELETE = 0x0010;
export const ACCESS3_EXECUTE = 0x0020;
export const ACCESS3_ALL = 0x003f;
