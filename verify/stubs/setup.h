/*
 * Harness helpers: building a module state through the API (with every stub
 * on its success path, see verify.h) and drawing the arguments of the call
 * under proof.
 */
#ifndef VERIFY_SETUP_H
#define VERIFY_SETUP_H

#include "iotoken/pkcs11.h"
#include "verify.h"

/* Buffers given to the call under proof hold at most this many elements
 * (see verify_len_buffer). */
#define VERIFY_CAP 128

/* C_Initialize(NULL) with the store directory holding token-1.sqlite:
 * slot 1 (initialized token) and slot 2 (blank). */
void verify_initialize(void);
/* verify_initialize, then an R/W session on slot 1. */
CK_SESSION_HANDLE verify_open_session(void);
/* C_CreateObject, which must succeed. */
CK_OBJECT_HANDLE verify_create(CK_SESSION_HANDLE s, CK_ATTRIBUTE *tmpl, CK_ULONG n);

/* verify_initialize or not (verify_case_f: 1 initialized, 0 not), for the
 * functions that must refuse (or, C_GetFunctionList, serve) a caller
 * before C_Initialize. verify_setup is 1 either way. */
void verify_maybe_initialize(void);

/* Objects made with C_CreateObject (setup, must succeed), all public:
 * an EC P-256 private key (CKA_SIGN), the matching public key
 * (CKA_VERIFY, 65-byte uncompressed point), a data object with a 16-byte
 * CKA_VALUE and label "label" (session object, or token object when
 * `token`), an AES key (sensitive). */
CK_OBJECT_HANDLE verify_ec_private_key(CK_SESSION_HANDLE s);
CK_OBJECT_HANDLE verify_ec_public_key(CK_SESSION_HANDLE s);
CK_OBJECT_HANDLE verify_data_object(CK_SESSION_HANDLE s, int token);
CK_OBJECT_HANDLE verify_aes_key(CK_SESSION_HANDLE s);
/* A public AES-128 key with CKA_WRAP and CKA_UNWRAP (C_WrapKey, C_UnwrapKey). */
CK_OBJECT_HANDLE verify_aes_wrapping_key(CK_SESSION_HANDLE s);

/* An R/W session on slot 1 (verify_open_session) with, by verify_case_g:
 * 0 no digest active, 1 C_DigestInit done, 2 C_DigestInit and
 * C_DigestUpdate(NULL, 0) done (a multi-part digest; see
 * verify_sig_session for why no bytes), 3 a digest finished by C_Digest
 * (no digest active; its context kept as the session's spare), 4 that and
 * C_DigestInit again (which restarted the spare); the mechanism (verify_case_b)
 * CKM_SHA_1, CKM_SHA256 or CKM_SHA512. *hashlen: its digest length. */
CK_SESSION_HANDLE verify_digest_session(CK_ULONG *hashlen);
/* The same digest states on the open session s (objects made before the
 * states split are made once). */
void verify_digest_state(CK_SESSION_HANDLE s, CK_ULONG *hashlen);

/* An R/W session on slot 1 with an EC P-256 key pair (verify_ec_*_key;
 * keys[0] the private key, keys[1] the public one)
 * and, by verify_case_g: 0 no operation active, 1 C_SignInit (or
 * C_VerifyInit when verify) done, 2 that and C_SignUpdate(NULL, 0)
 * (C_VerifyUpdate) done, a multi-part operation, into which for raw
 * CKM_ECDSA 5 bytes are then collected by op_update (what C_*Update calls
 * once its arguments are checked: the check itself, api_impossible_len,
 * compares an address with UINTPTR_MAX - n, which EVA cannot decide, so
 * through the API the setup would also fail and join states); the
 * mechanism (verify_case_b) CKM_ECDSA (raw input, collected) or
 * CKM_ECDSA_SHA256 (hashed). */
CK_SESSION_HANDLE verify_sig_session(int verify, CK_OBJECT_HANDLE keys[2]);

/* C_Login(s, user, "1234") in setup, which must succeed: the store stub
 * then shows both PINs set (verify_store_pins) and the seal stubs accept
 * any PIN. */
void verify_login(CK_SESSION_HANDLE s, CK_USER_TYPE user);

/* A slot id: 1 (initialized token), 2 (blank), 0, 3, or any value. */
CK_SLOT_ID verify_slot_id(void);

/* A mechanism (*key: the choice, a partition key) of the n types given,
 * with (pParameter, ulParameterLen) (NULL, 0), (NULL, 8) or an 8-byte
 * buffer with length 8; *m is the CK_MECHANISM, the result &m or NULL. */
CK_MECHANISM_PTR verify_mechanism(int *key, CK_MECHANISM *m, const CK_MECHANISM_TYPE *types, int n);

/*
 * A caller's (length, buffer) pair. The length is one of VERIFY_LEN_CASES
 * values: 0, 1, near - 1, near, near + 1, VERIFY_CAP, 2^32, 2^32 + near,
 * PTRDIFF_MAX + 1, 2^63 + 1, ULONG_MAX; or (the last case) any CK_ULONG
 * with a NULL buffer. Otherwise the buffer holds min(len, VERIFY_CAP)
 * elements of `unit` bytes (at least one byte), of unknown contents. A
 * module that stays within len elements stays within the buffer only if it
 * also stays within VERIFY_CAP elements, so a proof in this model is a proof
 * for every length (the harnesses' objects are all shorter than the cap).
 *
 * All candidate buffers are allocated first, in one state (so each is its
 * own heap base with an exact size); then *key (a global named in
 * run.sh's -eva-partition-value) picks one: EVA keeps one state per value
 * of *key through the whole call, so the relation between the length and
 * its buffer's size is never lost to a join.
 */
#define VERIFY_LEN_CASES 12
void verify_len_buffer(int *key, CK_ULONG near, size_t unit, int input, CK_ULONG *len, void **buf);
/* Partition keys: each harness stores its nondeterministic choices here
 * (run.sh passes them to -eva-partition-value). */
extern int verify_case_a, verify_case_b, verify_case_c, verify_case_d, verify_case_e;
extern int verify_case_f, verify_case_g, verify_case_h, verify_case_i;

/* A session handle: the open one, 0, a stale/forged one, or any value. */
CK_SESSION_HANDLE verify_session_handle(CK_SESSION_HANDLE open);
/* An object handle (*key: the choice): one of the n given, 0, a stale
 * generation of the first, an index past the table, index 0 with a
 * generation, or ULONG_MAX. Not "any value": an arbitrary handle resolves
 * to an unknown one of the objects, and EVA, non-relational, then mixes
 * their attributes (false alarms); the cases above take every branch of
 * handle_get. */
CK_OBJECT_HANDLE verify_object_handle(int *key, const CK_OBJECT_HANDLE *h, int n);

/*
 * Templates (C_CreateObject, C_CopyObject, C_SetAttributeValue,
 * C_FindObjectsInit, C_GenerateKeyPair).
 *
 * verify_mutate: tmpl (n >= 1 entries) unchanged (*key 0) or one entry,
 * the last (*key 1 .. VERIFY_MUTATIONS) or, with first_too, the first
 * (*key up to 2 * VERIFY_MUTATIONS), made malformed (*key: a partition
 * key) in one of VERIFY_MUTATIONS ways: pValue NULL with
 * length 0 and with length 8; length 0 and 1 with a 16-byte buffer (short
 * values); lengths ATTR_MAX_VALUE + 1, 2^32, PTRDIFF_MAX + 1 and ULONG_MAX
 * with a 16-byte buffer (a module reading past it is an alarm, so these
 * must be refused on the length); length ATTR_MAX_VALUE with a buffer of
 * that many unknown bytes (the largest value accepted); 16 unknown bytes
 * of the entry's own length up to 16 (any contents: a BBOOL of 2), but
 * for CKA_CLASS, CKA_KEY_TYPE and CKA_CERTIFICATE_TYPE the value
 * CKO_VENDOR_DEFINED | 1 (an unknown class would give an object of any
 * kind, whose joined states are false alarms for EVA); the type replaced by CKA_VENDOR_DEFINED | 1 and by ULONG_MAX
 * (a type no object has). The entry's array is the caller's and is changed
 * in place.
 */
#define VERIFY_MUTATIONS 12
void verify_mutate(int *key, CK_ATTRIBUTE *tmpl, CK_ULONG n, int first_too);

/*
 * The (pTemplate, ulCount) a call gets for a template of n entries (*key,
 * a partition key): 0 (tmpl, n); 1 (NULL, 0); 2 (NULL, n); 3 (tmpl, 0);
 * 4 (tmpl, 1); 5 (tmpl, ATTR_MAX_TEMPLATE + 1); 6 (tmpl, ULONG_MAX).
 * Counts past n are refused before any entry is read, or the read is an
 * alarm (the array has n entries). With `full_only`, case 0 alone.
 */
#define VERIFY_COUNT_CASES 7
CK_ATTRIBUTE *verify_template_count(int *key, int full_only, CK_ATTRIBUTE *tmpl, CK_ULONG n,
				    CK_ULONG *count);

/* Ends a harness: checks that the call under proof released the module
 * lock on every path, and prints its results (Frama_C_show_each_verify_done,
 * which run.sh requires EVA to reach). */
void Frama_C_show_each_verify_done(CK_RV rv);
void verify_done(CK_RV rv);

#endif
