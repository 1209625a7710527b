/*
 * Operations of a session (v2.40 section 5.2: one active operation of each
 * kind per session). An operation holds a reference to the backend key,
 * never the object: destroying the key object or logging out while it runs
 * is safe (SECURITY.md row 27).
 */
#ifndef IOTOKEN_OP_H
#define IOTOKEN_OP_H

#include "core/mech.h"

/* Raw mechanisms (CKM_ECDSA, CKM_RSA_PKCS, CKM_RSA_PKCS_PSS) fed through
 * C_*Update collect at most this much. */
#define OP_MAX_RAW_INPUT 1024

typedef struct op {
	int active;
	int multipart; /* a C_*Update was seen: single-part calls are refused */
	const mech_row *m;
	crypto_key *key;
	crypto_digest *dg;
	crypto_pss pss;
	uint8_t *buf; /* raw input collected by updates */
	size_t len;
	/* A finished digest context kept for the next operation of this
	 * session (op_done): a 64-byte C_DigestInit + C_Digest spent a third
	 * of its time allocating and freeing contexts. Only the session's own
	 * op holds one; op_take leaves it there. */
	crypto_digest *spare;
} op;

enum op_kind { OP_SIGN, OP_VERIFY, OP_DIGEST };

struct object;

/* Starts a sign or verify operation on o (which must be inactive) with the
 * key object: the checks of v2.40 5.11/5.12 in order (mechanism, key
 * class and type, usage attribute, allowed mechanisms, key size, mechanism
 * parameter). */
CK_RV op_begin_sig(op *o, enum op_kind kind, const CK_MECHANISM *mech,
		   struct object *key) IOT_MUST_CHECK;
CK_RV op_begin_digest(op *o, const CK_MECHANISM *mech) IOT_MUST_CHECK;

/* More input: hashed, or collected for raw mechanisms. */
CK_RV op_update(op *o, const uint8_t *data, size_t n) IOT_MUST_CHECK;

/* The bytes the signature covers after the last input (data may be NULL):
 * the hash for hashing mechanisms, else the collected or given bytes.
 * out has room for OP_MAX_RAW_INPUT bytes. */
CK_RV op_finish_input(op *o, const uint8_t *data, size_t n, uint8_t *out,
		      size_t *outlen) IOT_MUST_CHECK;

/* Moves the operation to dst (a local copy) and leaves o inactive, so the
 * crypto can run outside the module lock. */
void op_take(op *o, op *dst);
/* Ends the operation (o->spare stays). */
void op_end(op *o);
/* Ends an operation whose digest was finished, keeping its context as the
 * spare when there is none. */
void op_done(op *o);
/* op_end and the spare too: the session goes. */
void op_free(op *o);

/* The signature algorithm of a sign/verify mechanism family. */
enum crypto_sig op_sig_alg(const op *o);

#endif
