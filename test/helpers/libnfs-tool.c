/*
 * libnfs-tool: one NFSv3 operation through libnfs's synchronous API (a third-party client with
 * its own XDR), so e2e tests drive every procedure with a client that shares no code with us.
 *
 *   libnfs-tool URL COMMAND ARGS...     URL = nfs://host/export?nfsport=P&mountport=P[&uid=U&gid=G]
 *
 * Paths are inside the export ("/a/b"). Success: exit 0 and one JSON value on stdout (`cat`
 * writes the raw bytes instead). Failure: exit code = -errno returned by libnfs (or 255 for a
 * usage error) and libnfs's error text on stderr, prefixed by the step that failed.
 * Built by test/helpers/libnfs-tool.ts (gcc ... -lnfs), cached by a hash of this file.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <nfsc/libnfs.h>

#define USAGE 255

static struct nfs_context *nfs;

static int fail(const char *step, int rc) {
  const char *msg = nfs ? nfs_get_error(nfs) : NULL;
  fprintf(stderr, "%s: %s (%d)\n", step, msg && *msg ? msg : strerror(-rc), rc);
  return rc < 0 && -rc < USAGE ? -rc : USAGE - 1;
}

static int usage(const char *why) {
  fprintf(stderr, "usage: %s\n", why);
  return USAGE;
}

static void json_string(const char *s) {
  putchar('"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') printf("\\%c", *p);
    else if (*p < 0x20) printf("\\u%04x", *p);
    else putchar(*p);
  }
  putchar('"');
}

static long num(const char *s, int base) { return strtol(s, NULL, base); }

static void print_stat(const struct nfs_stat_64 *st) {
  printf("{\"size\":%" PRIu64 ",\"mode\":%" PRIu64 ",\"nlink\":%" PRIu64 ",\"uid\":%" PRIu64
         ",\"gid\":%" PRIu64 ",\"ino\":\"%" PRIu64 "\",\"rdev\":%" PRIu64 ",\"atime\":%" PRIu64
         ",\"mtime\":%" PRIu64 ",\"mtimeNsec\":%" PRIu64 ",\"ctime\":%" PRIu64 "}\n",
         st->nfs_size, st->nfs_mode, st->nfs_nlink, st->nfs_uid, st->nfs_gid, st->nfs_ino,
         st->nfs_rdev, st->nfs_atime, st->nfs_mtime, st->nfs_mtime_nsec, st->nfs_ctime);
}

static int ok(int rc, const char *step) {
  if (rc < 0) return fail(step, rc);
  printf("{\"ok\":true}\n");
  return 0;
}

static int cmd_stat(const char *path, int follow) {
  struct nfs_stat_64 st;
  int rc = follow ? nfs_stat64(nfs, path, &st) : nfs_lstat64(nfs, path, &st);
  if (rc < 0) return fail("stat", rc);
  print_stat(&st);
  return 0;
}

static int cmd_ls(const char *path) {
  struct nfsdir *dir;
  int rc = nfs_opendir(nfs, path, &dir);
  if (rc < 0) return fail("opendir", rc);
  struct nfsdirent *e;
  int first = 1;
  putchar('[');
  while ((e = nfs_readdir(nfs, dir)) != NULL) {
    printf(first ? "{\"name\":" : ",{\"name\":");
    first = 0;
    json_string(e->name);
    printf(",\"ino\":\"%" PRIu64 "\",\"type\":%u,\"mode\":%u,\"size\":%" PRIu64
           ",\"uid\":%u,\"gid\":%u,\"nlink\":%u}",
           e->inode, e->type, e->mode, e->size, e->uid, e->gid, e->nlink);
  }
  printf("]\n");
  nfs_closedir(nfs, dir);
  return 0;
}

static int cmd_readlink(const char *path) {
  char buf[4097];
  int rc = nfs_readlink(nfs, path, buf, sizeof buf - 1);
  if (rc < 0) return fail("readlink", rc);
  buf[sizeof buf - 1] = 0;
  printf("{\"target\":");
  json_string(buf);
  printf("}\n");
  return 0;
}

static int cmd_statvfs(const char *path) {
  struct nfs_statvfs_64 v;
  int rc = nfs_statvfs64(nfs, path, &v);
  if (rc < 0) return fail("statvfs", rc);
  printf("{\"bsize\":%" PRIu64 ",\"blocks\":%" PRIu64 ",\"bfree\":%" PRIu64 ",\"bavail\":%" PRIu64
         ",\"files\":%" PRIu64 ",\"ffree\":%" PRIu64 ",\"namemax\":%" PRIu64 "}\n",
         v.f_bsize, v.f_blocks, v.f_bfree, v.f_bavail, v.f_files, v.f_ffree, v.f_namemax);
  return 0;
}

/* write PATH OFFSET TEXT [sync]: open O_WRONLY, pwrite, optional fsync (COMMIT), close. */
static int cmd_write(const char *path, const char *offset, const char *text, int sync) {
  struct nfsfh *fh;
  int rc = nfs_open(nfs, path, O_WRONLY, &fh);
  if (rc < 0) return fail("open", rc);
  size_t len = strlen(text);
  rc = nfs_pwrite(nfs, fh, strtoull(offset, NULL, 10), len, text);
  if (rc < 0) return fail("pwrite", rc);
  int written = rc;
  if (sync && (rc = nfs_fsync(nfs, fh)) < 0) return fail("fsync", rc);
  if ((rc = nfs_close(nfs, fh)) < 0) return fail("close", rc);
  printf("{\"written\":%d}\n", written);
  return 0;
}

static int cmd_cat(const char *path) {
  struct nfsfh *fh;
  int rc = nfs_open(nfs, path, O_RDONLY, &fh);
  if (rc < 0) return fail("open", rc);
  static char buf[65536];
  uint64_t at = 0;
  while ((rc = nfs_pread(nfs, fh, at, sizeof buf, buf)) > 0) {
    fwrite(buf, 1, rc, stdout);
    at += rc;
  }
  if (rc < 0) return fail("pread", rc);
  nfs_close(nfs, fh);
  return 0;
}

static int cmd_creat(const char *path, const char *mode) {
  struct nfsfh *fh;
  int rc = nfs_creat(nfs, path, (int)num(mode, 8), &fh);
  if (rc < 0) return fail("creat", rc);
  return ok(nfs_close(nfs, fh), "close");
}

static int cmd_access(const char *path, const char *want) {
  int mode = 0;
  for (const char *p = want; *p; p++) mode |= *p == 'r' ? R_OK : *p == 'w' ? W_OK : *p == 'x' ? X_OK : 0;
  int rc = nfs_access(nfs, path, mode);
  if (rc < 0) return fail("access", rc);
  int mask = nfs_access2(nfs, path);
  if (mask < 0) return fail("access2", mask);
  printf("{\"granted\":%d}\n", mask);
  return 0;
}

static int cmd_utimes(const char *path, const char *atime, const char *mtime) {
  struct timeval tv[2] = {{num(atime, 10), 0}, {num(mtime, 10), 0}};
  return ok(nfs_utimes(nfs, path, tv), "utimes");
}

static int cmd_mknod(const char *path, const char *mode, const char *major, const char *minor) {
  dev_t dev = makedev((unsigned)num(major, 10), (unsigned)num(minor, 10));
  return ok(nfs_mknod(nfs, path, (int)num(mode, 8), (int)dev), "mknod");
}

static int run(int argc, char **argv) {
  const char *c = argv[0];
  const char *a = argc > 1 ? argv[1] : NULL, *b = argc > 2 ? argv[2] : NULL;
  const char *d = argc > 3 ? argv[3] : NULL, *e = argc > 4 ? argv[4] : NULL;
#define NEED(n, text) if (argc < (n) + 1) return usage(text)
  if (!strcmp(c, "stat")) { NEED(1, "stat PATH"); return cmd_stat(a, 1); }
  if (!strcmp(c, "lstat")) { NEED(1, "lstat PATH"); return cmd_stat(a, 0); }
  if (!strcmp(c, "ls")) { NEED(1, "ls DIR"); return cmd_ls(a); }
  if (!strcmp(c, "cat")) { NEED(1, "cat PATH"); return cmd_cat(a); }
  if (!strcmp(c, "readlink")) { NEED(1, "readlink PATH"); return cmd_readlink(a); }
  if (!strcmp(c, "statvfs")) { NEED(1, "statvfs PATH"); return cmd_statvfs(a); }
  if (!strcmp(c, "chmod")) { NEED(2, "chmod PATH OCTAL"); return ok(nfs_chmod(nfs, a, (int)num(b, 8)), "chmod"); }
  if (!strcmp(c, "chown")) {
    NEED(3, "chown PATH UID GID");
    return ok(nfs_chown(nfs, a, (int)num(b, 10), (int)num(d, 10)), "chown");
  }
  if (!strcmp(c, "truncate")) {
    NEED(2, "truncate PATH LEN");
    return ok(nfs_truncate(nfs, a, strtoull(b, NULL, 10)), "truncate");
  }
  if (!strcmp(c, "mkdir")) { NEED(2, "mkdir PATH OCTAL"); return ok(nfs_mkdir2(nfs, a, (int)num(b, 8)), "mkdir"); }
  if (!strcmp(c, "rmdir")) { NEED(1, "rmdir PATH"); return ok(nfs_rmdir(nfs, a), "rmdir"); }
  if (!strcmp(c, "unlink")) { NEED(1, "unlink PATH"); return ok(nfs_unlink(nfs, a), "unlink"); }
  if (!strcmp(c, "rename")) { NEED(2, "rename OLD NEW"); return ok(nfs_rename(nfs, a, b), "rename"); }
  if (!strcmp(c, "link")) { NEED(2, "link OLD NEW"); return ok(nfs_link(nfs, a, b), "link"); }
  if (!strcmp(c, "symlink")) { NEED(2, "symlink TARGET PATH"); return ok(nfs_symlink(nfs, a, b), "symlink"); }
  if (!strcmp(c, "mknod")) { NEED(4, "mknod PATH OCTAL MAJOR MINOR"); return cmd_mknod(a, b, d, e); }
  if (!strcmp(c, "creat")) { NEED(2, "creat PATH OCTAL"); return cmd_creat(a, b); }
  if (!strcmp(c, "utimes")) { NEED(3, "utimes PATH ATIME MTIME"); return cmd_utimes(a, b, d); }
  if (!strcmp(c, "access")) { NEED(2, "access PATH [r][w][x]"); return cmd_access(a, b); }
  if (!strcmp(c, "write")) {
    NEED(3, "write PATH OFFSET TEXT [sync]");
    return cmd_write(a, b, d, e != NULL && !strcmp(e, "sync"));
  }
  return usage("unknown command");
#undef NEED
}

int main(int argc, char **argv) {
  if (argc < 3) return usage("libnfs-tool URL COMMAND ARGS...");
  nfs = nfs_init_context();
  if (nfs == NULL) return usage("nfs_init_context failed");
  nfs_set_timeout(nfs, 10000);
  struct nfs_url *url = nfs_parse_url_dir(nfs, argv[1]);
  if (url == NULL) {
    fprintf(stderr, "url: %s\n", nfs_get_error(nfs));
    return USAGE;
  }
  int rc = nfs_mount(nfs, url->server, url->path);
  if (rc < 0) return fail("mount", rc);
  rc = run(argc - 2, argv + 2);
  fflush(stdout);
  nfs_destroy_url(url);
  nfs_destroy_context(nfs);
  return rc;
}
