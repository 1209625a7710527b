/*
 * Shared by the stubs and the harnesses of the Frama-C/EVA proofs.
 *
 * verify_setup: while a harness builds its module state (C_Initialize, an
 * open session, some objects) it sets this to 1 and every stub takes its
 * success path (no allocation failure, no store or crypto error), so that
 * the state the function under proof starts from is the one the harness
 * asked for. The harness then sets it to 0 and calls the function under
 * proof once: from then on every stub may fail in every way its contract
 * allows (allocation returns NULL, the store fails, crypto fails, ...).
 */
#ifndef VERIFY_VERIFY_H
#define VERIFY_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "__fc_builtin.h"

extern int verify_setup;

/* The name a directory listing shows (stubs/libc.c); a partition key,
 * like the verify_case_* of setup.h. */
extern int verify_dir_name;

/* While set, the directory listing's first name may be an arbitrary
 * string (stubs/libc.c): for a module with no token yet (C_Initialize). */
extern int verify_dir_arbitrary;

/* While set (and verify_setup), the store's token record has both PINs
 * set and a PIN attempt succeeds (stubs/store.c): a setup C_Login. */
extern int verify_store_pins;

/* While set, store_changed reports no change (it may still fail): no
 * token reload in the call under proof. A harness narrowing (README.md):
 * a reload that may log the user out destroys private session objects,
 * and EVA joins the object lists with and without them. */
extern int verify_store_unchanged;

/* Module locks held (stubs/port.c). */
extern int verify_locks_held;

/* 1 with a nondeterministic choice, 0 always while verify_setup is set. */
int verify_may_fail(void);

/* A nondeterministic CK_RV: CKR_OK while verify_setup is set, else one of
 * CKR_OK and the n errors given. */
unsigned long verify_rv(int n, const unsigned long *errors);

/* A nondeterministic size_t in [lo, hi]. */
size_t verify_size(size_t lo, size_t hi);

#endif
