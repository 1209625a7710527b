/*
 * Stub of the symmetric crypto interface (src/crypto/crypto_sym.h): AES
 * modes, AES key wrap, HMAC/CMAC. Written ahead of its callers (the API
 * layer does not call these yet; EVA analyses only what a harness reaches,
 * so an uncalled stub costs nothing but parsing).
 *
 * As stubs/crypto.c: no cryptography; each function checks what the module
 * hands it against crypto_sym.h's contract (assertions: an unproved one is
 * an alarm against the module), writes unknown bytes where the contract
 * says it writes, and returns any result the contract allows (while
 * verify_setup: success). Contexts are small heap objects with a magic
 * word, so use after free, double free and a use after final are caught.
 * Where the contract fixes a result from the arguments alone (key and
 * parameter shapes, input lengths), the stub decides it the same way, so
 * the module may rely on it (e.g. a length the contract refuses is refused
 * before the input is read).
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto_sym.h"
#include "verify.h"

static void sym_read(const void *p, size_t n)
{
	//@ assert sym_input_readable: n == 0 || \valid_read((const char *)p + (0 .. n - 1));
	(void)p;
	(void)n;
}

static void sym_write(void *p, size_t n)
{
	//@ assert sym_output_writable: n == 0 || \valid((char *)p + (0 .. n - 1));
	if (n > 0)
		Frama_C_make_unknown((char *)p, n);
}

static int aes_key_len_ok(size_t n)
{
	return n == 16 || n == 24 || n == 32;
}

/* ---- AES ciphers ---- */

#define AES_MAGIC 0x61657363

struct crypto_aes {
	int magic;
	enum crypto_aes_mode mode;
	int encrypt;
	int finished;   /* final called: the context is spent */
	size_t held;    /* input bytes held back (partial block, GCM decrypt) */
	size_t tag_len; /* GCM */
};

static void aes_live(const crypto_aes *c)
{
	//@ assert sym_aes_live: \valid_read(c) && c->magic == AES_MAGIC;
	//@ assert sym_aes_not_final: c->finished == 0;
	(void)c;
}

static int tag_len_ok(size_t t)
{
	return t == 4 || t == 8 || (t >= 12 && t <= 16);
}

/* crypto_sym.h: the shape each mode wants (else
 * CKR_MECHANISM_PARAM_INVALID). */
static int params_ok(enum crypto_aes_mode mode, const crypto_aes_params *p)
{
	switch (mode) {
	case AES_ECB:
		return 1;
	case AES_CBC:
	case AES_CBC_PAD:
		return p->iv_len == CRYPTO_AES_BLOCK;
	case AES_CTR:
		return p->iv_len == CRYPTO_AES_BLOCK && p->ctr_bits >= 1 && p->ctr_bits <= 128;
	default:
		return p->iv_len >= 1 && p->iv_len <= CRYPTO_GCM_MAX_IV &&
		       p->aad_len <= CRYPTO_GCM_MAX_AAD && tag_len_ok(p->tag_len);
	}
}

CK_RV crypto_aes_new(enum crypto_aes_mode mode, int encrypt, const uint8_t *key, size_t key_len,
		     const crypto_aes_params *p, crypto_aes **out)
{
	static const unsigned long errors[] = { CKR_HOST_MEMORY, CKR_FUNCTION_FAILED };
	crypto_aes *c;
	CK_RV rv;

	//@ assert sym_aes_mode: AES_ECB <= mode <= AES_GCM;
	sym_read(key, key_len);
	if (!aes_key_len_ok(key_len))
		return CKR_KEY_SIZE_RANGE;
	if (mode != AES_ECB) {
		//@ assert sym_aes_params: \valid_read(p);
		if (!params_ok(mode, p))
			return CKR_MECHANISM_PARAM_INVALID;
		sym_read(p->iv, p->iv_len);
		if (mode == AES_GCM)
			sym_read(p->aad, p->aad_len);
	}
	//@ assert sym_aes_out: \valid(out);
	rv = verify_rv(2, errors);
	if (rv != CKR_OK)
		return rv;
	c = malloc(sizeof(*c));
	if (c == NULL)
		return CKR_HOST_MEMORY;
	c->magic = AES_MAGIC;
	c->mode = mode;
	c->encrypt = encrypt != 0;
	c->finished = 0;
	c->held = 0;
	c->tag_len = mode == AES_GCM ? p->tag_len : 0;
	*out = c;
	return CKR_OK;
}

size_t crypto_aes_update_len(const crypto_aes *c, size_t n)
{
	size_t total, whole;

	aes_live(c);
	if (n > SIZE_MAX - c->held)
		return SIZE_MAX;
	total = c->held + n;
	switch (c->mode) {
	case AES_CTR:
		return n;
	case AES_GCM:
		return c->encrypt ? n : 0;
	default:
		whole = total - total % CRYPTO_AES_BLOCK;
		/* CBC_PAD decrypt holds the last whole block back. */
		if (c->mode == AES_CBC_PAD && !c->encrypt && whole > 0 && whole == total)
			whole -= CRYPTO_AES_BLOCK;
		return whole;
	}
}

CK_RV crypto_aes_update(crypto_aes *c, const uint8_t *in, size_t n, uint8_t *out, size_t *outlen)
{
	static const unsigned long errors[] = { CKR_DATA_LEN_RANGE, CKR_HOST_MEMORY,
						CKR_FUNCTION_FAILED };
	size_t w;
	CK_RV rv;

	aes_live(c);
	w = crypto_aes_update_len(c, n);
	//@ assert sym_aes_update_len: w != SIZE_MAX;
	sym_read(in, n);
	//@ assert sym_aes_outlen: \valid(outlen);
	/* The caller checks the room: the whole of it may be written. */
	sym_write(out, w);
	rv = verify_rv(3, errors);
	if (rv != CKR_OK)
		return rv;
	if (c->mode == AES_GCM && !c->encrypt)
		c->held += n;
	else if (c->mode != AES_CTR && c->mode != AES_GCM)
		c->held = c->held + n - w;
	*outlen = w;
	return CKR_OK;
}

size_t crypto_aes_final_len(const crypto_aes *c)
{
	aes_live(c);
	switch (c->mode) {
	case AES_CBC_PAD:
		return c->encrypt ? CRYPTO_AES_BLOCK : CRYPTO_AES_BLOCK - 1;
	case AES_GCM:
		if (c->encrypt)
			return c->tag_len;
		return c->held > c->tag_len ? c->held - c->tag_len : 0;
	default:
		return 0;
	}
}

CK_RV crypto_aes_final(crypto_aes *c, uint8_t *out, size_t *outlen)
{
	static const unsigned long errors[] = { CKR_DATA_LEN_RANGE, CKR_ENCRYPTED_DATA_LEN_RANGE,
						CKR_ENCRYPTED_DATA_INVALID, CKR_HOST_MEMORY,
						CKR_FUNCTION_FAILED };
	size_t w;
	CK_RV rv;

	aes_live(c);
	w = crypto_aes_final_len(c);
	//@ assert sym_aes_outlen: \valid(outlen);
	//@ assert sym_aes_final_room: w == 0 || \valid(out + (0 .. w - 1));
	c->finished = 1;
	rv = verify_rv(5, errors);
	if (rv != CKR_OK)
		return rv; /* nothing written (a GCM tag mismatch writes nothing) */
	sym_write(out, w);
	/* Exact but for CBC_PAD decrypt: up to 15 bytes (in setup 15, so
	 * that a harness can set up a pending final deterministically). */
	*outlen = c->mode == AES_CBC_PAD && !c->encrypt && !verify_setup ? verify_size(0, w) : w;
	return CKR_OK;
}

void crypto_aes_free(crypto_aes *c)
{
	if (c == NULL)
		return;
	//@ assert sym_aes_live: \valid(c) && c->magic == AES_MAGIC;
	c->magic = 0;
	free(c);
}

/* ---- AES key wrap ---- */

/* The contract gives the output length as crypto_aes_wrap_len(pad, n)
 * without a bound on n; the stub answers SIZE_MAX where the length does
 * not fit (no buffer has it), which a caller that checks room against it
 * refuses. */
size_t crypto_aes_wrap_len(int pad, size_t n)
{
	size_t r = pad ? (n + 7) / 8 * 8 : n;

	if (n > SIZE_MAX - 16)
		return SIZE_MAX;
	return r + 8;
}

CK_RV crypto_aes_wrap(int pad, const uint8_t *key, size_t key_len, const uint8_t *in, size_t n,
		      uint8_t *out)
{
	static const unsigned long errors[] = { CKR_HOST_MEMORY, CKR_FUNCTION_FAILED };
	size_t w;

	sym_read(key, key_len);
	if (!aes_key_len_ok(key_len))
		return CKR_KEY_SIZE_RANGE;
	if (pad ? n == 0 : n % 8 != 0 || n < 16)
		return CKR_DATA_LEN_RANGE;
	sym_read(in, n);
	w = crypto_aes_wrap_len(pad, n);
	//@ assert sym_wrap_len: w != SIZE_MAX;
	sym_write(out, w);
	return verify_rv(2, errors);
}

static int unwrap_pad;

CK_RV crypto_aes_unwrap(int pad, const uint8_t *key, size_t key_len, const uint8_t *in, size_t n,
			uint8_t *out, size_t *outlen)
{
	static const unsigned long errors[] = { CKR_ENCRYPTED_DATA_INVALID, CKR_HOST_MEMORY,
						CKR_FUNCTION_FAILED };
	CK_RV rv;

	sym_read(key, key_len);
	if (!aes_key_len_ok(key_len))
		return CKR_KEY_SIZE_RANGE;
	if (n % 8 != 0 || n < (pad ? 16u : 24u))
		return CKR_ENCRYPTED_DATA_LEN_RANGE;
	sym_read(in, n);
	//@ assert sym_unwrap_room: \valid(out + (0 .. n - 9));
	//@ assert sym_unwrap_outlen: \valid(outlen);
	rv = verify_rv(3, errors);
	if (rv != CKR_OK)
		return rv; /* integrity failure: nothing in out */
	Frama_C_make_unknown((char *)out, n - 8);
	/* With padding the encoded length: n - 15 .. n - 8 (RFC 5649), one
	 * partition per padding length (split): an interval would make the
	 * caller's copy of the key (a block of that size) imprecise. */
	unwrap_pad = pad ? Frama_C_interval(0, 7) : 0;
	//@ split unwrap_pad;
	*outlen = n - 8 - (size_t)unwrap_pad;
	return CKR_OK;
}

/* ---- MACs ---- */

#define MAC_MAGIC 0x6d616363

struct crypto_mac {
	int magic;
	enum crypto_mac_alg alg;
	enum crypto_hash h;
	int finished;
};

static void mac_live(const crypto_mac *m)
{
	//@ assert sym_mac_live: \valid_read(m) && m->magic == MAC_MAGIC;
	(void)m;
}

CK_RV crypto_mac_new(enum crypto_mac_alg alg, enum crypto_hash h, const uint8_t *key,
		     size_t key_len, crypto_mac **out)
{
	static const unsigned long errors[] = { CKR_HOST_MEMORY, CKR_FUNCTION_FAILED };
	crypto_mac *m;
	CK_RV rv;

	//@ assert sym_mac_alg: alg == MAC_HMAC || alg == MAC_CMAC;
	if (alg == MAC_HMAC) {
		//@ assert sym_mac_hash: 0 <= h < HASH_COUNT;
	}
	sym_read(key, key_len);
	if (alg == MAC_CMAC && !aes_key_len_ok(key_len))
		return CKR_KEY_SIZE_RANGE;
	//@ assert sym_mac_out: \valid(out);
	rv = verify_rv(2, errors);
	if (rv != CKR_OK)
		return rv;
	m = malloc(sizeof(*m));
	if (m == NULL)
		return CKR_HOST_MEMORY;
	m->magic = MAC_MAGIC;
	m->alg = alg;
	m->h = alg == MAC_HMAC ? h : HASH_SHA256;
	m->finished = 0;
	*out = m;
	return CKR_OK;
}

size_t crypto_mac_len(const crypto_mac *m)
{
	mac_live(m);
	return m->alg == MAC_HMAC ? crypto_hash_len(m->h) : CRYPTO_AES_BLOCK;
}

CK_RV crypto_mac_update(crypto_mac *m, const void *data, size_t n)
{
	static const unsigned long errors[] = { CKR_HOST_MEMORY, CKR_FUNCTION_FAILED };

	mac_live(m);
	//@ assert sym_mac_not_final: m->finished == 0;
	sym_read(data, n);
	return verify_rv(2, errors);
}

CK_RV crypto_mac_final(crypto_mac *m, uint8_t *out)
{
	static const unsigned long errors[] = { CKR_HOST_MEMORY, CKR_FUNCTION_FAILED };

	mac_live(m);
	//@ assert sym_mac_not_final: m->finished == 0;
	sym_write(out, crypto_mac_len(m));
	m->finished = 1;
	return verify_rv(2, errors);
}

void crypto_mac_free(crypto_mac *m)
{
	if (m == NULL)
		return;
	//@ assert sym_mac_live: \valid(m) && m->magic == MAC_MAGIC;
	m->magic = 0;
	free(m);
}
