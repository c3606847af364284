// The last-resort net under damage: LMDB 0.9 keeps no page checksums and follows offsets inside a page as they are,
// so a damaged page can make it read outside the map (SIGSEGV) or past the end of the file (SIGBUS). The readers
// check what LMDB hands back (`MapBounds`), but what LMDB reads on its own way there cannot be checked from outside.
// This handler turns such a fault into the answer any other damage gets: one line on standard error and exit 3.
// Only async-signal-safe calls: write(2) and _exit(2); the text is prepared at installation, the numbers formatted by
// hand.
#define _GNU_SOURCE
#include "CDamageNet.h"
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lmdb.h>

volatile uint64_t damage_net_position = 0;
volatile int damage_net_reading = DAMAGE_NET_NOTHING;

static char *alt_stack;
/// LMDB's failed assertion, copied before LMDB aborts (empty: none).
static char lmdb_assertion[256];
static volatile sig_atomic_t lmdb_asserted = 0;

static void on_lmdb_assert(MDB_env *env, const char *msg) {
    (void)env;
    strncpy(lmdb_assertion, msg ? msg : "", sizeof lmdb_assertion - 1);
    lmdb_asserted = 1;
}

void damage_net_attach_lmdb(void *env) { mdb_env_set_assert((MDB_env *)env, on_lmdb_assert); }

static size_t put(char *buf, size_t at, size_t cap, const char *s) {
    while (*s && at < cap) buf[at++] = *s++;
    return at;
}

static size_t put_u64(char *buf, size_t at, size_t cap, uint64_t n) {
    char digits[24];
    int i = 0;
    do { digits[i++] = (char)('0' + n % 10); n /= 10; } while (n && i < 24);
    while (i > 0 && at < cap) buf[at++] = digits[--i];
    return at;
}

static void on_fault(int sig, siginfo_t *info, void *context) {
    (void)info;
    (void)context;
    if (sig == SIGABRT && !lmdb_asserted) {
        // An abort that is not LMDB's: not ours to explain. Die of it as the default would.
        signal(SIGABRT, SIG_DFL);
        raise(SIGABRT);
        return;
    }
    char buf[640];
    const size_t cap = sizeof buf;
    size_t n = 0;
    n = put(buf, n, cap, sig == SIGABRT ? "error: the ledger file is damaged: LMDB found a page that is not what its tree says ("
                                        : "error: the ledger file is damaged: reading it made the process fault (");
    if (sig == SIGABRT) {
        n = put(buf, n, cap, "LMDB");
        n = put(buf, n, cap, ": ");
        n = put(buf, n, cap, lmdb_assertion);
    } else {
        n = put(buf, n, cap, sig == SIGBUS ? "SIGBUS" : "SIGSEGV");
    }
    n = put(buf, n, cap, ")");
    uint64_t position = damage_net_position;
    switch (damage_net_reading) {
    case DAMAGE_NET_RECORD:
        n = put(buf, n, cap, " while reading the record at position ");
        n = put_u64(buf, n, cap, position);
        break;
    case DAMAGE_NET_INDEX:
        n = put(buf, n, cap, " while reading an index");
        break;
    case DAMAGE_NET_MODEL:
        n = put(buf, n, cap, " while reading a kept read model");
        break;
    default:
        break;
    }
    n = put(buf, n, cap, ". Run `align verify` for a full report, and restore the ledger from a backup (`align backup`) "
                         "if it confirms the damage.\n");
    ssize_t ignored = write(2, buf, n);
    (void)ignored;
    _exit(3);
}

int damage_net_install(void) {
    if (alt_stack == NULL) {
        size_t size = 64 * 1024;
        alt_stack = malloc(size);
        if (alt_stack == NULL) return -1;
        stack_t ss;
        memset(&ss, 0, sizeof ss);
        ss.ss_sp = alt_stack;
        ss.ss_size = size;
        if (sigaltstack(&ss, NULL) != 0) return -1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGSEGV, &sa, NULL) != 0) return -1;
    if (sigaction(SIGBUS, &sa, NULL) != 0) return -1;
    if (sigaction(SIGABRT, &sa, NULL) != 0) return -1;
    return 0;
}
