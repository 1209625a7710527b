/*
 * Operations of a session (v2.40 section 5.2: one active operation of each
 * kind per session). An operation holds a reference to the backend key,
 * never the object: destroying the key object or logging out while it runs
 * is safe (SECURITY.md row 27).
 */
#ifndef IOTOKEN_OP_H
#define IOTOKEN_OP_H

#include "core/mech.h"
#include "crypto/crypto_kex.h"
#include "crypto/crypto_sym.h"

/* Whether any operation with a secret key or encryption is built in. */
#define OP_WITH_CIPHERS (IOT_WITH_AES || IOT_WITH_HMAC || IOT_WITH_OAEP)

/* Raw mechanisms (CKM_ECDSA, CKM_RSA_PKCS, CKM_RSA_PKCS_PSS) fed through
 * C_*Update collect at most this much. */
#define OP_MAX_RAW_INPUT 1024
/* CKM_EDDSA signs the message itself: C_*Update collect this much of it
 * (a single-part C_Sign/C_Verify takes any length). */
#define OP_MAX_EDDSA_INPUT 65536

typedef struct op {
	int active;
	int multipart;   /* a C_*Update was seen: single-part calls are refused */
	int key_private; /* the key is a private object: the operation ends at logout */
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
#if OP_WITH_CIPHERS
	/* Secret-key and encryption operations (op_cipher.c). */
	int encrypt;     /* the direction of a cipher operation */
	crypto_aes *aes; /* a multi-part AES operation, made at its first call */
	crypto_mac *mac; /* HMAC or CMAC */
	size_t mac_len;  /* bytes of the MAC signed or verified */
	uint8_t *secret; /* a copy of the AES key (single-part calls start afresh) */
	size_t secret_len;
	crypto_aes_params ap; /* iv and aad point into params */
	crypto_oaep oaep;     /* label points into params */
	uint8_t *params;      /* the copied IV, AAD or label */
	size_t params_len;
	uint8_t pending[CRYPTO_AES_BLOCK]; /* a CBC_PAD final too big for its buffer */
	size_t pending_len;
	int has_pending;
#endif
} op;

enum op_kind { OP_SIGN, OP_VERIFY, OP_DIGEST, OP_ENCRYPT, OP_DECRYPT, OP_WRAP, OP_UNWRAP };

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
/* Clears o but for its spare (which it keeps); nothing is freed. */
void op_clear(op *o);
/* Ends the operation (o->spare stays). */
void op_end(op *o);
/* Ends an operation whose digest was finished, keeping its context as the
 * spare when there is none. */
void op_done(op *o);
/* op_end and the spare too: the session goes. */
void op_free(op *o);

/* The signature algorithm of a sign/verify mechanism family. */
enum crypto_sig op_sig_alg(const op *o);

/* Whether the key's CKA_ALLOWED_MECHANISMS lets it be used with type. */
int op_mech_allowed(const struct object *key, CK_MECHANISM_TYPE type);

#if IOT_WITH_ED25519
/* CKM_EDDSA's message: what the updates collected, or data of a single-part
 * call. */
void op_eddsa_message(const op *o, const uint8_t *data, size_t n, const uint8_t **msg, size_t *len);
#endif

/* The length of the signature or MAC an active sign operation makes. */
size_t op_sig_len(const op *o);

#if OP_WITH_CIPHERS
/* Starts an encryption (kind OP_ENCRYPT) or decryption (OP_DECRYPT) with
 * the key object: the checks of v2.40 5.8/5.9 in the order of
 * op_begin_sig, then the mechanism's parameter (CK_GCM_PARAMS,
 * CK_AES_CTR_PARAMS, a CBC IV, CK_RSA_PKCS_OAEP_PARAMS). OP_WRAP and
 * OP_UNWRAP are the same with CKF_WRAP/CKF_UNWRAP and CKA_WRAP/CKA_UNWRAP
 * (the caller maps the codes to the wrapping key's). */
CK_RV op_begin_cipher(op *o, enum op_kind kind, const CK_MECHANISM *mech,
		      struct object *key) IOT_MUST_CHECK;

/* Output of a single-part C_Encrypt/C_Decrypt of n bytes: *need is enough
 * (and exact when *exact is set). */
void op_cipher_need(const op *o, size_t n, size_t *need, int *exact);
/* The single-part operation into out (room bytes: at least what the
 * output is, or CKR_BUFFER_TOO_SMALL with *outlen the exact length, the
 * operation unchanged). */
CK_RV op_cipher_once(op *o, const uint8_t *in, size_t n, uint8_t *out, size_t room,
		     size_t *outlen) IOT_MUST_CHECK;
/* Multi-part: exact output of an update of n bytes, or SIZE_MAX. */
CK_RV op_cipher_update_need(op *o, size_t n, size_t *need) IOT_MUST_CHECK;
CK_RV op_cipher_update(op *o, const uint8_t *in, size_t n, uint8_t *out,
		       size_t *outlen) IOT_MUST_CHECK;
/* The final part: as op_cipher_once for what remains. */
CK_RV op_cipher_final_need(op *o, size_t *need, int *exact) IOT_MUST_CHECK;
CK_RV op_cipher_final(op *o, uint8_t *out, size_t room, size_t *outlen) IOT_MUST_CHECK;

/* The MAC part of op_begin_sig, once the key passed check_key: key size,
 * CK_MAC_GENERAL_PARAMS, the context. */
CK_RV op_begin_mac(op *o, const CK_MECHANISM *mech, struct object *key) IOT_MUST_CHECK;

/* MACs: the full-length MAC of what the operation was given, then
 * truncated to o->mac_len by the caller. */
CK_RV op_mac_final(op *o, uint8_t *out) IOT_MUST_CHECK;
#endif

#endif
