/*
 * Helpers of the mechanism tests (key pairs, signatures, digests) on top of
 * harness.h: curves and their DER OIDs, key-pair generation, one-call sign,
 * verify and digest, DigestInfo prefixes and hex decoding. All of them go
 * through the module's function list like a client; those without _rv
 * assert success with cmocka.
 */
#ifndef IOTOKEN_TEST_MECHS_H
#define IOTOKEN_TEST_MECHS_H

#include "harness.h"

/* A named curve the token offers. */
typedef struct h_curve {
	const char *name;
	const unsigned char *oid; /* DER OBJECT IDENTIFIER (CKA_EC_PARAMS) */
	CK_ULONG oid_len;
	CK_ULONG size; /* field / order size in bytes: 32, 48, 66 */
	CK_ULONG bits; /* 256, 384, 521 */
} h_curve;

#define H_NCURVES 3
extern const h_curve h_curves[H_NCURVES];

/* DER OIDs of secp384r1, secp521r1 and (not offered) secp256k1. */
extern const unsigned char k_p384_oid[7];
extern const unsigned char k_p521_oid[7];
extern const unsigned char k_secp256k1_oid[7];

/* The DigestInfo prefix of a CKM_SHA* hash (what CKM_RSA_PKCS signs once
 * the hash is appended); its length in *len. */
const unsigned char *h_digest_info(CK_MECHANISM_TYPE hash, CK_ULONG *len);
/* Output length of a CKM_SHA* hash. */
CK_ULONG h_hash_len(CK_MECHANISM_TYPE hash);

/* Key pairs. pub and priv are extra attributes (may be NULL); CKA_TOKEN is
 * added from token, CKA_EC_PARAMS / CKA_MODULUS_BITS from the arguments. */
CK_RV h_gen_pair_rv(CK_SESSION_HANDLE s, CK_MECHANISM_TYPE mech, const h_tmpl *pub,
		    const h_tmpl *priv, CK_OBJECT_HANDLE *hpub, CK_OBJECT_HANDLE *hpriv);
void h_gen_ec(CK_SESSION_HANDLE s, const h_curve *c, CK_BBOOL token, CK_OBJECT_HANDLE *hpub,
	      CK_OBJECT_HANDLE *hpriv);
void h_gen_rsa(CK_SESSION_HANDLE s, CK_ULONG bits, CK_BBOOL token, CK_OBJECT_HANDLE *hpub,
	       CK_OBJECT_HANDLE *hpriv);
/* The real 2048-bit key of keys.c imported as a session key pair (CRT form). */
void h_import_rsa(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE *hpub, CK_OBJECT_HANDLE *hpriv);

/* C_SignInit + C_Sign in one: the signature's length, or fails the test. */
CK_ULONG h_sign(CK_SESSION_HANDLE s, CK_MECHANISM *m, CK_OBJECT_HANDLE key, const void *data,
		CK_ULONG len, unsigned char *sig, CK_ULONG max);
/* C_SignInit + C_SignUpdate in chunks of `chunk` bytes + C_SignFinal. */
CK_ULONG h_sign_parts(CK_SESSION_HANDLE s, CK_MECHANISM *m, CK_OBJECT_HANDLE key, const void *data,
		      CK_ULONG len, CK_ULONG chunk, unsigned char *sig, CK_ULONG max);
/* Signs a short message with priv (mech without parameter), verifies it
 * with pub and checks that a corrupted copy does not verify; returns the
 * signature's length. */
CK_ULONG h_sign_round_trip(CK_SESSION_HANDLE s, CK_MECHANISM_TYPE mech, CK_OBJECT_HANDLE pub,
			   CK_OBJECT_HANDLE priv);
/* C_VerifyInit (asserted) + C_Verify: the result of C_Verify. */
CK_RV h_verify_rv(CK_SESSION_HANDLE s, CK_MECHANISM *m, CK_OBJECT_HANDLE key, const void *data,
		  CK_ULONG len, const void *sig, CK_ULONG siglen);
/* The same in parts: C_VerifyUpdate per chunk, then C_VerifyFinal's result. */
CK_RV h_verify_parts_rv(CK_SESSION_HANDLE s, CK_MECHANISM *m, CK_OBJECT_HANDLE key,
			const void *data, CK_ULONG len, CK_ULONG chunk, const void *sig,
			CK_ULONG siglen);

/* C_DigestInit + C_Digest: the digest's length. */
CK_ULONG h_digest(CK_SESSION_HANDLE s, CK_MECHANISM_TYPE mech, const void *data, CK_ULONG len,
		  unsigned char *out);

/* Decodes hex (even length, no separators) into out; returns the number of
 * bytes, or (size_t)-1 if the string is not hex or does not fit. */
size_t h_unhex(const char *hex, unsigned char *out, size_t max);

/* The DER OCTET STRING of a raw point (CKA_EC_POINT); returns its length. */
CK_ULONG h_point_der(const unsigned char *point, CK_ULONG len, unsigned char *out);

#endif
