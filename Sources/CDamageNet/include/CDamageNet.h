#ifndef CDAMAGENET_H
#define CDAMAGENET_H
#include <stdint.h>

/// What the process was reading when a fault came: 0 nothing known, 1 the log's records, 2 an index, 3 a read model.
enum { DAMAGE_NET_NOTHING = 0, DAMAGE_NET_RECORD = 1, DAMAGE_NET_INDEX = 2, DAMAGE_NET_MODEL = 3 };

/// The position of the record being read (0 when none), and what kind of data: updated by the LMDB readers with one
/// store each, read only by the signal handler.
extern volatile uint64_t damage_net_position;
extern volatile int damage_net_reading;

/// Notes that the record at `position` is being read (a plain store: cheap enough for every record of a walk).
static inline void damage_net_note_record(uint64_t position) {
    damage_net_position = position;
    damage_net_reading = DAMAGE_NET_RECORD;
}

/// Notes that an index or a read model (`what`) is being read.
static inline void damage_net_note(int what) { damage_net_reading = what; }

/// Makes LMDB's failed assertions (`mdb_assert`: LMDB checking its own pages, which a damaged file fails) known to the
/// net: LMDB then calls abort(), and the net reports the abort as damage, quoting the assertion, instead of dying of
/// SIGABRT. `env` is the `MDB_env *`. Harmless in a process without the net (LMDB aborts as it always did).
void damage_net_attach_lmdb(void *env);

/// Installs the last-resort SIGSEGV / SIGBUS (and, after an LMDB assertion, SIGABRT) handler (on its own stack): it writes one preformatted line to standard
/// error naming what was being read, the damaged ledger, `align verify` and the backup, and exits with status 3.
/// Returns 0, or -1 when the handler could not be installed.
int damage_net_install(void);

#endif
