/*
 * A real ONC RPC client for our PORTMAP: libnfs's raw PORTMAP v2 calls (its own ZDR encoder,
 * AUTH_UNIX credentials) against 127.0.0.1:PORT. Prints one line per answer:
 *   null ok | getport PROG VERS PROT = PORT | dump PROG VERS PROT PORT
 * Built and run by test/e2e/portmap-libnfs.test.ts; exit status 0 when every call was answered.
 */
#include <sys/time.h>
#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-portmap.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static int pending = 0;
static int failed = 0;
static unsigned queries[16][3];
static int nqueries = 0;

static void report_error(const char *what, int status, void *data) {
  printf("%s error %d %s\n", what, status, status == RPC_STATUS_ERROR && data ? (char *)data : "");
  failed = 1;
}

static void null_cb(struct rpc_context *rpc, int status, void *data, void *priv) {
  (void)rpc; (void)priv;
  pending--;
  if (status != RPC_STATUS_SUCCESS) { report_error("null", status, data); return; }
  printf("null ok\n");
}

static void getport_cb(struct rpc_context *rpc, int status, void *data, void *priv) {
  unsigned *q = priv;
  (void)rpc;
  pending--;
  if (status != RPC_STATUS_SUCCESS) { report_error("getport", status, data); return; }
  printf("getport %u %u %u = %u\n", q[0], q[1], q[2], *(uint32_t *)data);
}

static void dump_cb(struct rpc_context *rpc, int status, void *data, void *priv) {
  (void)rpc; (void)priv;
  pending--;
  if (status != RPC_STATUS_SUCCESS) { report_error("dump", status, data); return; }
  for (struct pmap2_mapping_list *l = ((struct pmap2_dump_result *)data)->list; l; l = l->next) {
    printf("dump %u %u %u %u\n", l->map.prog, l->map.vers, l->map.prot, l->map.port);
  }
}

static void connect_cb(struct rpc_context *rpc, int status, void *data, void *priv) {
  (void)priv;
  pending--;
  if (status != RPC_STATUS_SUCCESS) { report_error("connect", status, data); return; }
  pending++;
  if (rpc_pmap2_null_async(rpc, null_cb, NULL) != 0) { failed = 1; return; }
  for (int i = 0; i < nqueries; i++) {
    pending++;
    if (rpc_pmap2_getport_async(rpc, queries[i][0], queries[i][1], queries[i][2], getport_cb, queries[i]) != 0) {
      failed = 1;
      return;
    }
  }
  pending++;
  if (rpc_pmap2_dump_async(rpc, dump_cb, NULL) != 0) failed = 1;
}

int main(int argc, char **argv) {
  if (argc < 2 || (argc - 2) % 3 != 0) {
    fprintf(stderr, "usage: %s PORT [PROG VERS PROT]...\n", argv[0]);
    return 2;
  }
  for (int i = 2; i + 2 < argc && nqueries < 16; i += 3, nqueries++) {
    for (int k = 0; k < 3; k++) queries[nqueries][k] = (unsigned)strtoul(argv[i + k], NULL, 10);
  }
  struct rpc_context *rpc = rpc_init_context();
  pending = 1;
  if (rpc_connect_async(rpc, "127.0.0.1", atoi(argv[1]), connect_cb, NULL) != 0) {
    printf("connect failed %s\n", rpc_get_error(rpc));
    return 3;
  }
  for (int rounds = 0; pending > 0 && !failed; rounds++) {
    struct pollfd pfd = { rpc_get_fd(rpc), (short)rpc_which_events(rpc), 0 };
    if (rounds > 100 || poll(&pfd, 1, 100) < 0) { printf("timed out\n"); return 4; }
    if (rpc_service(rpc, pfd.revents) < 0) { printf("service error %s\n", rpc_get_error(rpc)); return 5; }
  }
  rpc_destroy_context(rpc);
  return failed;
}
