/*
 * Stub of the crypto backend (src/crypto/crypto.h). No cryptography: each
 * function checks the buffers it is given against its contract (assertions:
 * an unproved one is an alarm against the module), writes unknown bytes
 * where the contract says it writes, and returns any result the contract
 * allows. Keys and digest contexts are small heap objects, so use after
 * free and double free are caught; a key's reference count is checked on
 * every ref/unref.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "verify.h"

static const unsigned long fail_errors[] = { CKR_HOST_MEMORY, CKR_FUNCTION_FAILED };
#define FAIL_RV() verify_rv(2, fail_errors)

struct crypto_key {
	int refs;
	int is_private;
	int is_ec;
	enum crypto_curve curve; /* EC keys */
	size_t bits;             /* RSA keys: CRYPTO_RSA_MIN_BITS..MAX_BITS */
	/* An EC public key made from a point gives that point back
	 * (crypto_ec_point), as a backend does: the module compares it
	 * with the CKA_EC_POINT it was given. Other keys: unknown bytes. */
	uint8_t point[1 + 2 * 66];
	size_t point_len;
};

struct crypto_digest {
	int magic;
	enum crypto_hash h;
	int finished;
};
#define DIGEST_MAGIC 0x64676374

static void check_read(const void *p, size_t n)
{
	//@ assert crypto_input_readable: n == 0 || \valid_read((const char *)p + (0 .. n - 1));
	(void)p;
	(void)n;
}

static void check_write(void *p, size_t n)
{
	//@ assert crypto_output_writable: n == 0 || \valid((char *)p + (0 .. n - 1));
	if (n > 0)
		Frama_C_make_unknown((char *)p, n);
}

CK_RV crypto_random(void *buf, size_t n)
{
	check_write(buf, n);
	return FAIL_RV();
}

void crypto_fork_reseed(void)
{
}

CK_RV crypto_sha256(const void *data, size_t n, uint8_t out[CRYPTO_SHA256_LEN])
{
	check_read(data, n);
	check_write(out, CRYPTO_SHA256_LEN);
	return FAIL_RV();
}

size_t crypto_hash_len(enum crypto_hash h)
{
	static const size_t len[HASH_COUNT] = { 20, 28, 32, 48, 64 };

	//@ assert crypto_hash_valid: 0 <= h < HASH_COUNT;
	return len[h];
}

static void check_digest(const crypto_digest *d)
{
	//@ assert crypto_digest_live: \valid_read(d) && d->magic == DIGEST_MAGIC;
	(void)d;
}

CK_RV crypto_digest_new(enum crypto_hash h, crypto_digest **out)
{
	crypto_digest *d;

	//@ assert crypto_hash_valid: 0 <= h < HASH_COUNT;
	if (verify_may_fail())
		return CKR_HOST_MEMORY;
	d = malloc(sizeof(*d));
	if (d == NULL)
		return CKR_HOST_MEMORY;
	d->magic = DIGEST_MAGIC;
	d->h = h;
	d->finished = 0;
	*out = d;
	return CKR_OK;
}

CK_RV crypto_digest_update(crypto_digest *d, const void *data, size_t n)
{
	check_digest(d);
	//@ assert crypto_digest_not_finished: d->finished == 0;
	check_read(data, n);
	return FAIL_RV();
}

CK_RV crypto_digest_final(crypto_digest *d, uint8_t *out)
{
	CK_RV rv;

	check_digest(d);
	//@ assert crypto_digest_not_finished: d->finished == 0;
	check_write(out, crypto_hash_len(d->h));
	rv = FAIL_RV();
	if (rv == CKR_OK)
		d->finished = 1;
	return rv;
}

int crypto_digest_finished(const crypto_digest *d)
{
	check_digest(d);
	return d->finished;
}

CK_RV crypto_digest_restart(crypto_digest *d, enum crypto_hash h)
{
	check_digest(d);
	//@ assert crypto_hash_valid: 0 <= h < HASH_COUNT;
	d->h = h;
	d->finished = 0;
	return FAIL_RV();
}

void crypto_digest_free(crypto_digest *d)
{
	if (d == NULL)
		return;
	check_digest(d);
	d->magic = 0;
	free(d);
}

/* ---- Keys ---- */

static void check_key(const crypto_key *k)
{
	//@ assert crypto_key_live: \valid_read(k) && k->refs >= 1;
	(void)k;
}

/* Whether new_key fails: a partition (split annotation, kept through the
 * returns by -eva-interprocedural-splits) so that the failure (*out
 * unchanged) and the success (*out a live key) are never joined, however
 * many states the caller's slevel already holds: joined, a caller's
 * "rv == CKR_OK" no longer implies a live key (C_GenerateKeyPair). */
static int new_key_fails;

static CK_RV new_key(int is_private, int is_ec, enum crypto_curve c, crypto_key **out)
{
	crypto_key *k;

	new_key_fails = verify_may_fail();
	//@ split new_key_fails;
	if (new_key_fails)
		return CKR_HOST_MEMORY;
	k = malloc(sizeof(*k));
	if (k == NULL)
		return CKR_HOST_MEMORY;
	k->refs = 1;
	k->is_private = is_private;
	k->is_ec = is_ec;
	k->curve = c;
	k->bits = is_ec ? 0 : verify_size(CRYPTO_RSA_MIN_BITS, CRYPTO_RSA_MAX_BITS);
	k->point_len = 0;
	*out = k;
	return CKR_OK;
}

crypto_key *crypto_key_ref(crypto_key *k)
{
	check_key(k);
	//@ assert crypto_key_refs_bounded: k->refs < 1000;
	k->refs++;
	return k;
}

void crypto_key_unref(crypto_key *k)
{
	if (k == NULL)
		return;
	check_key(k);
	if (--k->refs == 0)
		free(k);
}

int crypto_key_is_private(const crypto_key *k)
{
	check_key(k);
	return k->is_private;
}

static void check_curve(enum crypto_curve c)
{
	//@ assert crypto_curve_valid: 0 <= c < CURVE_COUNT;
	(void)c;
}

/* The curves' DER OIDs (P-256 10 bytes, the others 7). */
static const uint8_t curve_oid[CURVE_COUNT][10] = {
	{ 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 },
	{ 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22 },
	{ 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23 },
	{ 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x21 },
};

static size_t curve_oid_len(enum crypto_curve c)
{
	return c == CURVE_P256 ? 10 : 7;
}

/* As crypto.h says: the curve whose OID the parameters are (here any call
 * may also fail), an error for any other bytes. Parameters of unknown bytes
 * may be each curve or an error. Decoding the OID (rather than answering
 * any curve) keeps a key's sizes exact for concrete parameters: with the
 * curves joined, a generated key's record length is an interval and its
 * buffer an imprecise block (C_GenerateKeyPair). */
CK_RV crypto_ec_curve(const uint8_t *params, size_t len, enum crypto_curve *out)
{
	int c;

	check_read(params, len);
	if (!verify_setup && Frama_C_nondet(0, 1))
		return Frama_C_nondet(0, 1) ? CKR_CURVE_NOT_SUPPORTED : CKR_ATTRIBUTE_VALUE_INVALID;
	for (c = 0; c < CURVE_COUNT; c++)
		if (len == curve_oid_len((enum crypto_curve)c) &&
		    memcmp(params, curve_oid[c], len) == 0) {
			*out = (enum crypto_curve)c;
			return CKR_OK;
		}
	//@ assert crypto_setup_curve: !verify_setup;
	return Frama_C_nondet(0, 1) ? CKR_CURVE_NOT_SUPPORTED : CKR_ATTRIBUTE_VALUE_INVALID;
}

const uint8_t *crypto_ec_params(enum crypto_curve c, size_t *len)
{
	check_curve(c);
	*len = curve_oid_len(c);
	return curve_oid[c];
}

size_t crypto_ec_size(enum crypto_curve c)
{
	static const size_t size[CURVE_COUNT] = { 32, 48, 66, 28 };

	check_curve(c);
	return size[c];
}

size_t crypto_ec_bits(enum crypto_curve c)
{
	static const size_t bits[CURVE_COUNT] = { 256, 384, 521, 224 };

	check_curve(c);
	return bits[c];
}

static const unsigned long key_errors[] = { CKR_ATTRIBUTE_VALUE_INVALID, CKR_HOST_MEMORY };

CK_RV crypto_ec_public(enum crypto_curve c, const uint8_t *point, size_t len, crypto_key **out)
{
	CK_RV rv;

	check_curve(c);
	check_read(point, len);
	if (verify_rv(2, key_errors) != CKR_OK)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	rv = new_key(0, 1, c, out);
	if (rv == CKR_OK && len == 1 + 2 * crypto_ec_size(c)) {
		memcpy((*out)->point, point, len);
		(*out)->point_len = len;
	}
	return rv;
}

CK_RV crypto_ec_private(enum crypto_curve c, const uint8_t *d, size_t len, crypto_key **out)
{
	check_curve(c);
	check_read(d, len);
	if (verify_rv(2, key_errors) != CKR_OK)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	return new_key(1, 1, c, out);
}

CK_RV crypto_ec_generate(enum crypto_curve c, crypto_key **out)
{
	check_curve(c);
	return new_key(1, 1, c, out);
}

CK_RV crypto_ec_point(const crypto_key *k, uint8_t *out, size_t *len)
{
	size_t need;

	check_key(k);
	//@ assert crypto_ec_key: k->is_ec;
	need = 1 + 2 * crypto_ec_size(k->curve);
	//@ assert crypto_len_ptr: \valid(len);
	if (*len < need)
		return CKR_BUFFER_TOO_SMALL;
	check_write(out, need);
	if (k->point_len == need)
		memcpy(out, k->point, need);
	else
		out[0] = 0x04;
	*len = need;
	return CKR_OK;
}

CK_RV crypto_ec_scalar(const crypto_key *k, uint8_t *out, size_t *len)
{
	size_t need;

	check_key(k);
	//@ assert crypto_ec_private_key: k->is_ec && k->is_private;
	need = crypto_ec_size(k->curve);
	//@ assert crypto_len_ptr: \valid(len);
	if (*len < need)
		return CKR_BUFFER_TOO_SMALL;
	check_write(out, need);
	*len = need;
	return CKR_OK;
}

CK_RV crypto_key_curve(const crypto_key *k, enum crypto_curve *out)
{
	check_key(k);
	if (!k->is_ec)
		return CKR_KEY_TYPE_INCONSISTENT;
	*out = k->curve;
	return CKR_OK;
}

static void check_parts(const crypto_bytes parts[RSA_PARTS])
{
	int i;

	for (i = 0; i < RSA_PARTS; i++)
		check_read(parts[i].p, parts[i].len);
}

CK_RV crypto_rsa_public(const crypto_bytes parts[RSA_PARTS], crypto_key **out)
{
	check_parts(parts);
	if (verify_rv(2, key_errors) != CKR_OK)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	return new_key(0, 0, CURVE_P256, out);
}

CK_RV crypto_rsa_private(const crypto_bytes parts[RSA_PARTS], crypto_key **out)
{
	check_parts(parts);
	if (verify_rv(2, key_errors) != CKR_OK)
		return Frama_C_nondet(0, 1) ? CKR_ATTRIBUTE_VALUE_INVALID : CKR_TEMPLATE_INCOMPLETE;
	return new_key(1, 0, CURVE_P256, out);
}

CK_RV crypto_rsa_generate(size_t bits, const uint8_t *e, size_t elen, crypto_key **out)
{
	CK_RV rv;

	check_read(e, elen);
	rv = new_key(1, 0, CURVE_P256, out);
	if (rv == CKR_OK)
		(*out)->bits = bits;
	return rv;
}

/* The shape of what crypto_rsa_parts and crypto_cert_parse give (a
 * partition key, see run.sh). crypto_rsa_parts: 0 every part the key has, at its natural length for the key's
 * size (N and D the modulus length, E 3 bytes, P, Q, DP, DQ, QINV half);
 * 1 every part 1 byte; 2 N and E only (a private key made from N and D
 * has no P, Q or CRT values; here D too is left out). Lengths fixed per
 * shape (an interval would be an imprecise block size for EVA): for keys
 * of a size the module chose (generation) they are exact. */
int verify_stub_shape;

CK_RV crypto_rsa_parts(const crypto_key *k, uint8_t *parts[RSA_PARTS], size_t lens[RSA_PARTS])
{
	size_t bytes;
	int i;

	check_key(k);
	//@ assert crypto_rsa_key: !k->is_ec;
	for (i = 0; i < RSA_PARTS; i++) {
		parts[i] = NULL;
		lens[i] = 0;
	}
	bytes = (k->bits + 7) / 8;
	verify_stub_shape = verify_setup ? 0 : Frama_C_interval(0, 2);
	for (i = 0; i < RSA_PARTS; i++) {
		size_t n;

		if (i >= RSA_D && !k->is_private)
			continue;
		if (verify_stub_shape == 2 && i >= RSA_D)
			continue;
		if (verify_stub_shape == 1)
			n = 1;
		else if (i == RSA_N || i == RSA_D)
			n = bytes;
		else if (i == RSA_E)
			n = 3;
		else
			n = bytes / 2;
		parts[i] = port_malloc(n);
		if (parts[i] == NULL) {
			for (i = 0; i < RSA_PARTS; i++) {
				port_free_secret(parts[i], lens[i]);
				parts[i] = NULL;
				lens[i] = 0;
			}
			return CKR_HOST_MEMORY;
		}
		Frama_C_make_unknown((char *)parts[i], n);
		lens[i] = n;
	}
	return CKR_OK;
}

size_t crypto_key_bits(const crypto_key *k)
{
	check_key(k);
	return k->is_ec ? crypto_ec_bits(k->curve) : k->bits;
}

CK_RV crypto_key_spki(const crypto_key *k, uint8_t **der, size_t *len)
{
	size_t n;

	/* A length fixed by the key (P-256/384/521/224 SPKI; RSA: 1200, above any):
	 * an interval here would be an imprecise block size for EVA. */
	static const size_t ec_spki[CURVE_COUNT] = { 91, 120, 158, 80 };

	check_key(k);
	n = k->is_ec ? ec_spki[k->curve] : 1200;
	*der = port_malloc(n);
	if (*der == NULL)
		return CKR_HOST_MEMORY;
	Frama_C_make_unknown((char *)*der, n);
	*len = n;
	return CKR_OK;
}

size_t crypto_sig_len(const crypto_key *k)
{
	check_key(k);
	return k->is_ec ? 2 * crypto_ec_size(k->curve) : (k->bits + 7) / 8;
}

static void check_sig_args(const crypto_key *k, enum crypto_sig alg, const crypto_pss *pss)
{
	check_key(k);
	//@ assert crypto_sig_alg: alg == SIG_ECDSA || alg == SIG_RSA_PKCS1 || alg == SIG_RSA_PSS;
	//@ assert crypto_sig_key_type: (alg == SIG_ECDSA) == (k->is_ec != 0);
	if (alg == SIG_RSA_PSS) {
		//@ assert crypto_pss_params: \valid_read(pss) && 0 <= pss->hash < HASH_COUNT && 0 <= pss->mgf1 < HASH_COUNT;
		(void)pss;
	}
}

CK_RV crypto_sign(const crypto_key *k, enum crypto_sig alg, const crypto_pss *pss,
		  const uint8_t *in, size_t n, uint8_t *out)
{
	static const unsigned long errors[] = { CKR_DATA_LEN_RANGE, CKR_MECHANISM_PARAM_INVALID,
						CKR_HOST_MEMORY, CKR_FUNCTION_FAILED };

	check_sig_args(k, alg, pss);
	//@ assert crypto_sign_private: k->is_private;
	check_read(in, n);
	check_write(out, crypto_sig_len(k));
	return verify_rv(4, errors);
}

CK_RV crypto_verify(const crypto_key *k, enum crypto_sig alg, const crypto_pss *pss,
		    const uint8_t *in, size_t n, const uint8_t *sig, size_t siglen)
{
	static const unsigned long errors[] = { CKR_SIGNATURE_INVALID, CKR_SIGNATURE_LEN_RANGE,
						CKR_DATA_LEN_RANGE, CKR_HOST_MEMORY };

	check_sig_args(k, alg, pss);
	check_read(in, n);
	/* crypto.h: CKR_SIGNATURE_LEN_RANGE when siglen is not
	 * crypto_sig_len, decided on the length alone (both backends check it
	 * first): a signature of another length is not read, so the module
	 * may pass the caller's (possibly impossible) length through. */
	if (siglen != crypto_sig_len(k))
		return CKR_SIGNATURE_LEN_RANGE;
	check_read(sig, siglen);
	return verify_rv(4, errors);
}

/* ---- Certificates ---- */

CK_RV crypto_cert_parse(const uint8_t *der, size_t len, crypto_cert_fields *out)
{
	uint8_t **field[3] = { &out->subject, &out->issuer, &out->serial };
	size_t *flen[3] = { &out->subject_len, &out->issuer_len, &out->serial_len };
	int i;

	check_read(der, len);
	memset(out, 0, sizeof(*out));
	if (verify_rv(2, key_errors) != CKR_OK)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	/* Field lengths 1 or 300 by verify_stub_shape (fixed per shape: an
	 * interval would be an imprecise block size for EVA). */
	verify_stub_shape = verify_setup ? 0 : Frama_C_interval(0, 1);
	for (i = 0; i < 3; i++) {
		size_t n = verify_stub_shape ? 300 : 1;

		*field[i] = port_malloc(n);
		if (*field[i] == NULL) {
			crypto_cert_fields_free(out);
			return CKR_HOST_MEMORY;
		}
		Frama_C_make_unknown((char *)*field[i], n);
		*flen[i] = n;
	}
	return CKR_OK;
}

void crypto_cert_fields_free(crypto_cert_fields *f)
{
	port_free(f->subject);
	port_free(f->issuer);
	port_free(f->serial);
	memset(f, 0, sizeof(*f));
}

/* ---- Public-key encryption and key agreement (crypto_kex.h) ----
 * Written ahead of their callers (not called yet: EVA analyses only what a
 * harness reaches). Here rather than in a file of their own because they
 * read struct crypto_key. */

#include "crypto/crypto_kex.h"

size_t crypto_oaep_max(const crypto_key *k, enum crypto_hash hash)
{
	size_t klen, hlen;

	check_key(k);
	hlen = crypto_hash_len(hash);
	if (k->is_ec)
		return 0; /* not an RSA key: no message fits */
	klen = (k->bits + 7) / 8;
	return klen < 2 * hlen + 2 ? 0 : klen - 2 * hlen - 2;
}

static void check_oaep(const crypto_oaep *p)
{
	//@ assert crypto_oaep_params: \valid_read(p) && 0 <= p->hash < HASH_COUNT && 0 <= p->mgf1 < HASH_COUNT;
	check_read(p->label, p->label_len);
}

CK_RV crypto_oaep_encrypt(const crypto_key *k, const crypto_oaep *p, const uint8_t *in, size_t n,
			  uint8_t *out)
{
	static const unsigned long errors[] = { CKR_HOST_MEMORY, CKR_FUNCTION_FAILED };

	check_key(k);
	check_oaep(p);
	if (k->is_ec)
		return CKR_KEY_TYPE_INCONSISTENT;
	if (n > crypto_oaep_max(k, p->hash))
		return CKR_DATA_LEN_RANGE; /* decided on the length: in not read */
	check_read(in, n);
	check_write(out, crypto_sig_len(k));
	return verify_rv(2, errors);
}

CK_RV crypto_oaep_decrypt(const crypto_key *k, const crypto_oaep *p, const uint8_t *in, size_t n,
			  uint8_t *out, size_t *outlen)
{
	static const unsigned long errors[] = { CKR_ENCRYPTED_DATA_INVALID, CKR_HOST_MEMORY,
						CKR_FUNCTION_FAILED };
	size_t klen;
	CK_RV rv;

	check_key(k);
	check_oaep(p);
	if (k->is_ec)
		return CKR_KEY_TYPE_INCONSISTENT;
	//@ assert crypto_oaep_private: k->is_private;
	klen = crypto_sig_len(k);
	if (n != klen)
		return CKR_ENCRYPTED_DATA_LEN_RANGE; /* decided on the length */
	check_read(in, n);
	//@ assert crypto_oaep_room: \valid(out + (0 .. klen - 1));
	//@ assert crypto_len_ptr: \valid(outlen);
	rv = verify_rv(3, errors);
	if (rv != CKR_OK)
		return rv;
	/* Anything within the room may have been written. */
	check_write(out, klen);
	*outlen = verify_size(0, crypto_oaep_max(k, p->hash));
	return CKR_OK;
}

CK_RV crypto_ecdh(const crypto_key *priv, const uint8_t *point, size_t len, uint8_t *out)
{
	static const unsigned long errors[] = { CKR_ATTRIBUTE_VALUE_INVALID, CKR_HOST_MEMORY,
						CKR_FUNCTION_FAILED };
	CK_RV rv;

	check_key(priv);
	//@ assert crypto_ecdh_key: priv->is_ec && priv->is_private;
	/* Only an uncompressed point of the key's curve can be valid: decided
	 * on the length, the point is not read otherwise. */
	if (len != 1 + 2 * crypto_ec_size(priv->curve))
		return CKR_ATTRIBUTE_VALUE_INVALID;
	check_read(point, len);
	rv = verify_rv(3, errors);
	if (rv != CKR_OK)
		return rv;
	check_write(out, crypto_ec_size(priv->curve));
	return CKR_OK;
}
