/*
 * AES modes, AES key wrap, HMAC and CMAC (crypto_sym.h) on mbedTLS: the
 * AES block modes, GCM, CMAC and HMAC of the library; key wrap (RFC 3394,
 * RFC 5649) here over single AES blocks, since Debian's mbedTLS 2.28 is
 * built without MBEDTLS_NIST_KW_C. What the contract asks beyond the
 * ciphers (exact output lengths, the block held back for CBC_PAD, the
 * padding check, the CTR counter bound, GCM decryption held until the tag
 * verifies) is done here, in the same way as in openssl_sym.c. Contexts
 * live in our own port_malloc blocks; mbedTLS allocates the GCM, HMAC and
 * CMAC inner contexts itself (mbedtls_key.h).
 */
#include <string.h>

#include "crypto/mbedtls_key.h"

#include "crypto/crypto_sym.h"

#if IOT_WITH_AES
#if !defined(MBEDTLS_AES_C) || !defined(MBEDTLS_GCM_C) || !defined(MBEDTLS_CMAC_C) || \
	!defined(MBEDTLS_CIPHER_MODE_CBC) || !defined(MBEDTLS_CIPHER_MODE_CTR)
#error "IOT_WITH_AES needs mbedTLS's AES, GCM, CMAC and the CBC and CTR modes"
#endif
#include <mbedtls/aes.h>
#include <mbedtls/cipher.h>
#include <mbedtls/cmac.h>
#include <mbedtls/gcm.h>

/* GCM holds at most this much ciphertext for decryption (crypto_sym.h),
 * and encrypts at most 2^36 - 32 bytes (SP 800-38D, 5.2.1.1). */
#define GCM_MAX_HELD ((size_t)1 << 31)
#define GCM_MAX_DATA ((UINT64_C(1) << 36) - 32)
/* Key wrap: the same bounds as the OpenSSL backend's. */
#define WRAP_MAX_IN (((size_t)1 << 31) - 16)
#define UNWRAP_MAX_IN (((size_t)1 << 31) - 8)

static int key_index(size_t key_len)
{
	return key_len == 16 ? 0 : key_len == 24 ? 1 : key_len == 32 ? 2 : -1;
}

struct crypto_aes {
	/* ECB, CBC, CTR; GCM encryption: the key stream of partial blocks */
	mbedtls_aes_context aes;
	mbedtls_gcm_context gcm;
	enum crypto_aes_mode mode;
	int enc;
	int done; /* final was called */
	/* ECB, CBC, CBC_PAD: input not released yet. Under a block, except
	 * for CBC_PAD decryption: the last whole block and a partial one. */
	uint8_t held[2 * CRYPTO_AES_BLOCK];
	size_t held_len;
	/* CBC: the chaining value. CTR: the counter block, the key stream of
	 * its block and how much of that is used. */
	uint8_t iv[CRYPTO_AES_BLOCK];
	uint8_t stream[CRYPTO_AES_BLOCK];
	size_t stream_off;
	/* CTR: bytes processed and the blocks the counter has room for. */
	uint64_t ctr_bytes, ctr_room;
	/* GCM */
	size_t tag_len;
	uint64_t gcm_bytes; /* encryption: bytes released */
	/* GCM encryption: mbedTLS 2.28 takes a partial block only as the last
	 * input, but update releases every byte at once. A trailing partial
	 * block is released here (its plaintext xor the key stream of its
	 * counter block, from ctr0) and its plaintext kept in pend until the
	 * block fills or final gives it to mbedTLS. */
	uint8_t ctr0[CRYPTO_AES_BLOCK]; /* counter block of the first data block */
	uint8_t pend[CRYPTO_AES_BLOCK];
	uint8_t ks[CRYPTO_AES_BLOCK];
	size_t pend_len;
	uint8_t *buf; /* decryption: ciphertext and tag, held until final */
	size_t buf_len, buf_cap;
};

/* ---- What both backends share: sym_shared.h ---- */
#include "crypto/sym_shared.h"

/* ---- mbedTLS ---- */

/* Whole blocks through ECB or CBC. */
static CK_RV blocks(crypto_aes *c, const uint8_t *in, size_t n, uint8_t *out)
{
	int mode = c->enc ? MBEDTLS_AES_ENCRYPT : MBEDTLS_AES_DECRYPT, ret = 0;
	size_t i;

	if (c->mode != AES_ECB)
		ret = mbedtls_aes_crypt_cbc(&c->aes, mode, n, c->iv, in, out);
	for (i = 0; c->mode == AES_ECB && ret == 0 && i < n; i += CRYPTO_AES_BLOCK)
		ret = mbedtls_aes_crypt_ecb(&c->aes, mode, in + i, out + i);
	return ret == 0 ? CKR_OK : crypto_mbed_error(ret);
}

/* The counter block of GCM data block i (0-based): ctr0 with i added to
 * its low 32 bits (GCM's inc32). */
static void gcm_counter(const crypto_aes *c, uint64_t i, uint8_t cb[CRYPTO_AES_BLOCK])
{
	uint32_t v;

	memcpy(cb, c->ctr0, CRYPTO_AES_BLOCK);
	v = ((uint32_t)cb[12] << 24 | (uint32_t)cb[13] << 16 | (uint32_t)cb[14] << 8 | cb[15]) +
	    (uint32_t)i;
	cb[12] = (uint8_t)(v >> 24);
	cb[13] = (uint8_t)(v >> 16);
	cb[14] = (uint8_t)(v >> 8);
	cb[15] = (uint8_t)v;
}

/*
 * GCM encryption: finds ctr0 with public calls only. The first ciphertext
 * block of a message is E(K, ctr0) xor P, so encrypting a zero block under
 * the same IV gives E(K, ctr0), and AES decryption of that gives ctr0
 * (for a 12-byte IV that is IV || 2; for other lengths it depends on
 * GHASH, which mbedTLS does not expose). Then starts the real message.
 */
static int gcm_setup_enc(crypto_aes *c, const uint8_t *key, size_t key_len,
			 const crypto_aes_params *p)
{
	uint8_t zero[CRYPTO_AES_BLOCK] = { 0 }, tag[4];
	unsigned int bits = (unsigned int)key_len * 8;
	int ret;

	ret = mbedtls_gcm_crypt_and_tag(&c->gcm, MBEDTLS_GCM_ENCRYPT, CRYPTO_AES_BLOCK, p->iv,
					p->iv_len, NULL, 0, zero, c->ctr0, sizeof(tag), tag);
	if (ret == 0)
		ret = mbedtls_aes_setkey_dec(&c->aes, key, bits);
	if (ret == 0)
		ret = mbedtls_aes_crypt_ecb(&c->aes, MBEDTLS_AES_DECRYPT, c->ctr0, c->ctr0);
	if (ret == 0)
		ret = mbedtls_aes_setkey_enc(&c->aes, key, bits);
	if (ret == 0)
		ret = MBED_GCM_STARTS(&c->gcm, MBEDTLS_GCM_ENCRYPT, p->iv, p->iv_len, p->aad,
				      p->aad_len);
	return ret;
}

CK_RV crypto_aes_new(enum crypto_aes_mode mode, int encrypt, const uint8_t *key, size_t key_len,
		     const crypto_aes_params *p, crypto_aes **out)
{
	unsigned int bits = (unsigned int)key_len * 8;
	crypto_aes *c;
	CK_RV rv;
	int ret;

	rv = check_params(mode, key_len, p);
	if (rv != CKR_OK)
		return rv;
	c = port_calloc(1, sizeof(*c));
	if (c == NULL)
		return CKR_HOST_MEMORY;
	mbedtls_aes_init(&c->aes);
	mbedtls_gcm_init(&c->gcm);
	c->mode = mode;
	c->enc = encrypt != 0;
	switch (mode) {
	case AES_ECB:
	case AES_CBC:
	case AES_CBC_PAD:
		/* CBC and ECB decryption run the inverse cipher. */
		ret = c->enc ? mbedtls_aes_setkey_enc(&c->aes, key, bits)
			     : mbedtls_aes_setkey_dec(&c->aes, key, bits);
		if (mode != AES_ECB)
			memcpy(c->iv, p->iv, CRYPTO_AES_BLOCK);
		break;
	case AES_CTR:
		ret = mbedtls_aes_setkey_enc(&c->aes, key, bits);
		memcpy(c->iv, p->iv, CRYPTO_AES_BLOCK);
		c->ctr_room = ctr_room(p->iv, p->ctr_bits);
		break;
	default: /* AES_GCM */
		c->tag_len = p->tag_len;
		ret = mbedtls_gcm_setkey(&c->gcm, MBEDTLS_CIPHER_ID_AES, key, bits);
		if (ret == 0 && c->enc)
			ret = gcm_setup_enc(c, key, key_len, p);
		else if (ret == 0)
			ret = MBED_GCM_STARTS(&c->gcm, MBEDTLS_GCM_DECRYPT, p->iv, p->iv_len,
					      p->aad, p->aad_len);
		break;
	}
	if (ret != 0) {
		crypto_aes_free(c);
		return crypto_mbed_error(ret);
	}
	*out = c;
	return CKR_OK;
}

/* GCM encryption of n bytes (see pend in struct crypto_aes). */
static int gcm_encrypt(crypto_aes *c, const uint8_t *in, size_t n, uint8_t *out)
{
	uint8_t cb[CRYPTO_AES_BLOCK], tmp[CRYPTO_AES_BLOCK];
	size_t whole, take, i;
	int ret = 0;

	while (n > 0 && ret == 0) {
		if (c->pend_len == 0 && n >= CRYPTO_AES_BLOCK) {
			whole = n & ~(size_t)(CRYPTO_AES_BLOCK - 1);
			ret = MBED_GCM_UPDATE(&c->gcm, in, whole, out);
			c->gcm_bytes += whole;
			in += whole;
			out += whole;
			n -= whole;
			continue;
		}
		if (c->pend_len == 0) {
			/* a partial block starts: its key stream */
			gcm_counter(c, c->gcm_bytes / CRYPTO_AES_BLOCK, cb);
			ret = mbedtls_aes_crypt_ecb(&c->aes, MBEDTLS_AES_ENCRYPT, cb, c->ks);
			if (ret != 0)
				break;
		}
		take = CRYPTO_AES_BLOCK - c->pend_len;
		if (take > n)
			take = n;
		for (i = 0; i < take; i++) {
			/* in may be out (PKCS#11 allows it): read first */
			c->pend[c->pend_len + i] = in[i];
			out[i] = c->pend[c->pend_len + i] ^ c->ks[c->pend_len + i];
		}
		c->pend_len += take;
		c->gcm_bytes += take;
		in += take;
		out += take;
		n -= take;
		if (c->pend_len == CRYPTO_AES_BLOCK) {
			/* the block is whole: through GCM (the same ciphertext
			 * again, for the tag) */
			ret = MBED_GCM_UPDATE(&c->gcm, c->pend, CRYPTO_AES_BLOCK, tmp);
			c->pend_len = 0;
		}
	}
	port_wipe(tmp, sizeof(tmp));
	return ret;
}

CK_RV crypto_aes_update(crypto_aes *c, const uint8_t *in, size_t n, uint8_t *out, size_t *outlen)
{
	CK_RV rv;
	int ret;

	if (c->done)
		return CKR_OPERATION_NOT_INITIALIZED;
	*outlen = 0;
	if (n == 0)
		return CKR_OK;
	if (in == NULL)
		return CKR_ARGUMENTS_BAD;
	if (block_mode(c))
		return block_update(c, in, n, out, outlen);
	if (c->mode == AES_GCM && !c->enc)
		return gcm_hold(c, in, n);
	if (c->mode == AES_CTR) {
		rv = ctr_check(c, n);
		if (rv != CKR_OK)
			return rv;
		ret = mbedtls_aes_crypt_ctr(&c->aes, n, &c->stream_off, c->iv, c->stream, in, out);
		if (ret == 0)
			c->ctr_bytes += n;
	} else {
		if ((uint64_t)n > GCM_MAX_DATA - c->gcm_bytes)
			return CKR_DATA_LEN_RANGE;
		ret = gcm_encrypt(c, in, n, out);
	}
	if (ret != 0)
		return crypto_mbed_error(ret);
	*outlen = n;
	return CKR_OK;
}

/* GCM decryption: the held ciphertext decrypted into a buffer of our own
 * and released only once the tag verifies. */
static CK_RV gcm_open(crypto_aes *c, uint8_t *out, size_t *outlen)
{
	uint8_t tag[16], *pt = NULL;
	size_t n;
	CK_RV rv = CKR_OK;
	int ret;

	if (c->buf_len < c->tag_len)
		return CKR_ENCRYPTED_DATA_LEN_RANGE;
	n = c->buf_len - c->tag_len;
	if (n > 0) {
		pt = port_malloc(n);
		if (pt == NULL)
			return CKR_HOST_MEMORY;
	}
	/* mbedTLS's decryption may not write over its input. */
	ret = n > 0 ? MBED_GCM_UPDATE(&c->gcm, c->buf, n, pt) : 0;
	if (ret == 0)
		ret = MBED_GCM_FINISH(&c->gcm, tag, c->tag_len);
	if (ret != 0)
		rv = crypto_mbed_error(ret);
	else if (!port_ct_equal(tag, c->buf + n, c->tag_len))
		rv = CKR_ENCRYPTED_DATA_INVALID;
	if (rv == CKR_OK && n > 0)
		memcpy(out, pt, n);
	*outlen = rv == CKR_OK ? n : 0;
	port_free_secret(pt, n);
	port_wipe(tag, sizeof(tag));
	return rv;
}

static CK_RV gcm_seal(crypto_aes *c, uint8_t *out, size_t *outlen)
{
	uint8_t tmp[CRYPTO_AES_BLOCK];
	int ret = 0;

	/* the last, partial block (already released) */
	if (c->pend_len > 0)
		ret = MBED_GCM_UPDATE(&c->gcm, c->pend, c->pend_len, tmp);
	if (ret == 0)
		ret = MBED_GCM_FINISH(&c->gcm, out, c->tag_len);
	port_wipe(tmp, sizeof(tmp));
	port_wipe(c->pend, sizeof(c->pend));
	if (ret != 0)
		return crypto_mbed_error(ret);
	*outlen = c->tag_len;
	return CKR_OK;
}

void crypto_aes_free(crypto_aes *c)
{
	if (c == NULL)
		return;
	/* mbedTLS's frees zeroize the key schedules; the rest (held
	 * plaintext, key streams) goes with port_free_secret. */
	mbedtls_aes_free(&c->aes);
	mbedtls_gcm_free(&c->gcm);
	port_free_secret(c->buf, c->buf_cap);
	port_free_secret(c, sizeof(*c));
}

/* ---- Key wrap (RFC 3394 2.2.1, 2.2.2 index-based; RFC 5649) ---- */

static const uint8_t kw_iv[8] = { 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6, 0xA6 };
static const uint8_t kwp_magic[4] = { 0xA6, 0x59, 0x59, 0xA6 };

size_t crypto_aes_wrap_len(int pad, size_t n)
{
	if (n > SIZE_MAX - 16)
		return SIZE_MAX;
	return pad ? ((n + 7) & ~(size_t)7) + 8 : n + 8;
}

/* t, big-endian, into the 8 bytes at a. */
static void xor_t(uint8_t a[8], uint64_t t)
{
	int k;

	for (k = 7; k >= 0; k--, t >>= 8)
		a[k] ^= (uint8_t)t;
}

/* W: the register A at a, R[1..n] at r (8 bytes each, n >= 2). */
static int kw_forward(mbedtls_aes_context *aes, uint8_t *a, uint8_t *r, size_t n)
{
	uint8_t b[CRYPTO_AES_BLOCK];
	size_t i, j;
	int ret = 0;

	for (j = 0; j < 6 && ret == 0; j++) {
		for (i = 0; i < n && ret == 0; i++) {
			memcpy(b, a, 8);
			memcpy(b + 8, r + 8 * i, 8);
			ret = mbedtls_aes_crypt_ecb(aes, MBEDTLS_AES_ENCRYPT, b, b);
			xor_t(b, (uint64_t)n * j + i + 1);
			memcpy(a, b, 8);
			memcpy(r + 8 * i, b + 8, 8);
		}
	}
	port_wipe(b, sizeof(b));
	return ret;
}

/* W^-1, the same layout. */
static int kw_inverse(mbedtls_aes_context *aes, uint8_t *a, uint8_t *r, size_t n)
{
	uint8_t b[CRYPTO_AES_BLOCK];
	size_t i, j;
	int ret = 0;

	for (j = 6; j-- > 0 && ret == 0;) {
		for (i = n; i-- > 0 && ret == 0;) {
			memcpy(b, a, 8);
			xor_t(b, (uint64_t)n * j + i + 1);
			memcpy(b + 8, r + 8 * i, 8);
			ret = mbedtls_aes_crypt_ecb(aes, MBEDTLS_AES_DECRYPT, b, b);
			memcpy(a, b, 8);
			memcpy(r + 8 * i, b + 8, 8);
		}
	}
	port_wipe(b, sizeof(b));
	return ret;
}

/* An AES key schedule in a port_malloc block. */
static CK_RV aes_key(int enc, const uint8_t *key, size_t key_len, mbedtls_aes_context **out)
{
	mbedtls_aes_context *aes = port_malloc(sizeof(*aes));
	unsigned int bits = (unsigned int)key_len * 8;
	int ret;

	if (aes == NULL)
		return CKR_HOST_MEMORY;
	mbedtls_aes_init(aes);
	ret = enc ? mbedtls_aes_setkey_enc(aes, key, bits) : mbedtls_aes_setkey_dec(aes, key, bits);
	if (ret != 0) {
		mbedtls_aes_free(aes);
		port_free_secret(aes, sizeof(*aes));
		return crypto_mbed_error(ret);
	}
	*out = aes;
	return CKR_OK;
}

static void aes_key_free(mbedtls_aes_context *aes)
{
	mbedtls_aes_free(aes);
	port_free_secret(aes, sizeof(*aes));
}

CK_RV crypto_aes_wrap(int pad, const uint8_t *key, size_t key_len, const uint8_t *in, size_t n,
		      uint8_t *out)
{
	mbedtls_aes_context *aes;
	size_t m = (n + 7) & ~(size_t)7;
	CK_RV rv;
	int ret;

	if (key_index(key_len) < 0)
		return CKR_KEY_SIZE_RANGE;
	if (n > WRAP_MAX_IN || (pad ? n < 1 : n < 16 || n % 8 != 0))
		return CKR_DATA_LEN_RANGE;
	rv = aes_key(1, key, key_len, &aes);
	if (rv != CKR_OK)
		return rv;
	/* out = A || R: the IV (RFC 5649: the magic and the length), then
	 * the input padded with zeros to whole 8-byte blocks. */
	if (pad) {
		memcpy(out, kwp_magic, 4);
		out[4] = (uint8_t)(n >> 24);
		out[5] = (uint8_t)(n >> 16);
		out[6] = (uint8_t)(n >> 8);
		out[7] = (uint8_t)n;
	} else {
		memcpy(out, kw_iv, 8);
	}
	memmove(out + 8, in, n);
	memset(out + 8 + n, 0, m - n);
	/* RFC 5649 4.1: one block of padded input is one AES block. */
	if (m == 8)
		ret = mbedtls_aes_crypt_ecb(aes, MBEDTLS_AES_ENCRYPT, out, out);
	else
		ret = kw_forward(aes, out, out + 8, m / 8);
	aes_key_free(aes);
	if (ret != 0) {
		port_wipe(out, m + 8);
		return crypto_mbed_error(ret);
	}
	return CKR_OK;
}

/*
 * RFC 5649 4.2's checks of the unwrapped A (at a) and padded key (len
 * bytes at r): the magic, len - 8 < MLI <= len, zero padding. 0 when they
 * pass (*mli then the key's length). Masks, no branch on the values.
 */
static uint64_t kwp_check(const uint8_t *a, const uint8_t *r, size_t len, size_t *mli)
{
	uint64_t v = (uint64_t)a[4] << 24 | (uint64_t)a[5] << 16 | (uint64_t)a[6] << 8 | a[7];
	uint64_t bad = (uint64_t)(port_ct_equal(a, kwp_magic, 4) ^ 1), in_pad;
	size_t i;

	bad |= ((uint64_t)len - v) >> 63;       /* v > len */
	bad |= (v - ((uint64_t)len - 7)) >> 63; /* v < len - 7 */
	for (i = len - 8; i < len; i++) {
		in_pad = 0 - ((v - 1 - i) >> 63); /* all ones when i >= v */
		bad |= in_pad & r[i];
	}
	*mli = (size_t)v;
	return bad;
}

CK_RV crypto_aes_unwrap(int pad, const uint8_t *key, size_t key_len, const uint8_t *in, size_t n,
			uint8_t *out, size_t *outlen)
{
	mbedtls_aes_context *aes;
	uint8_t *tmp;
	size_t len = 0;
	CK_RV rv;
	int ret;

	if (key_index(key_len) < 0)
		return CKR_KEY_SIZE_RANGE;
	if (n > UNWRAP_MAX_IN || n % 8 != 0 || n < (pad ? 16u : 24u))
		return CKR_ENCRYPTED_DATA_LEN_RANGE;
	/* Into a buffer of our own: out sees nothing unless the check
	 * passes. */
	tmp = port_malloc(n);
	if (tmp == NULL)
		return CKR_HOST_MEMORY;
	rv = aes_key(0, key, key_len, &aes);
	if (rv != CKR_OK) {
		port_free(tmp);
		return rv;
	}
	memcpy(tmp, in, n);
	if (n == 16)
		ret = mbedtls_aes_crypt_ecb(aes, MBEDTLS_AES_DECRYPT, tmp, tmp);
	else
		ret = kw_inverse(aes, tmp, tmp + 8, (n - 8) / 8);
	aes_key_free(aes);
	if (ret != 0) {
		rv = crypto_mbed_error(ret);
	} else if (pad) {
		if (kwp_check(tmp, tmp + 8, n - 8, &len) != 0)
			rv = CKR_ENCRYPTED_DATA_INVALID;
	} else {
		len = n - 8;
		if (!port_ct_equal(tmp, kw_iv, 8))
			rv = CKR_ENCRYPTED_DATA_INVALID;
	}
	if (rv == CKR_OK) {
		memcpy(out, tmp + 8, len);
		*outlen = len;
	}
	port_free_secret(tmp, n);
	return rv;
}

#endif /* IOT_WITH_AES */

#if IOT_WITH_HMAC || IOT_WITH_AES

struct crypto_mac {
	union {
		mbedtls_md_context_t md; /* HMAC */
#if IOT_WITH_AES
		mbedtls_cipher_context_t cipher; /* CMAC */
#endif
	} u;
	enum crypto_mac_alg alg;
	size_t len;
	int done;
};

CK_RV crypto_mac_new(enum crypto_mac_alg alg, enum crypto_hash h, const uint8_t *key,
		     size_t key_len, crypto_mac **out)
{
	static const uint8_t none[1];
	crypto_mac *m;
	int ret;

	switch (alg) {
#if IOT_WITH_HMAC
	case MAC_HMAC: {
		const mbedtls_md_info_t *info = mbedtls_md_info_from_type(crypto_mbed_md(h));

		if (info == NULL)
			return CKR_MECHANISM_INVALID;
		m = port_calloc(1, sizeof(*m));
		if (m == NULL)
			return CKR_HOST_MEMORY;
		m->alg = alg;
		m->len = mbedtls_md_get_size(info);
		mbedtls_md_init(&m->u.md);
		ret = mbedtls_md_setup(&m->u.md, info, 1);
		/* an empty key is a key; the pointer only needs to be valid */
		if (ret == 0)
			ret = mbedtls_md_hmac_starts(&m->u.md, key_len > 0 ? key : none, key_len);
		break;
	}
#endif
#if IOT_WITH_AES
	case MAC_CMAC: {
		static const mbedtls_cipher_type_t types[3] = { MBEDTLS_CIPHER_AES_128_ECB,
								MBEDTLS_CIPHER_AES_192_ECB,
								MBEDTLS_CIPHER_AES_256_ECB };
		const mbedtls_cipher_info_t *info;

		(void)h;
		(void)none;
		if (key_index(key_len) < 0)
			return CKR_KEY_SIZE_RANGE;
		info = mbedtls_cipher_info_from_type(types[key_index(key_len)]);
		if (info == NULL)
			return CKR_MECHANISM_INVALID;
		m = port_calloc(1, sizeof(*m));
		if (m == NULL)
			return CKR_HOST_MEMORY;
		m->alg = alg;
		m->len = CRYPTO_AES_BLOCK;
		mbedtls_cipher_init(&m->u.cipher);
		ret = mbedtls_cipher_setup(&m->u.cipher, info);
		if (ret == 0)
			ret = mbedtls_cipher_cmac_starts(&m->u.cipher, key, key_len * 8);
		break;
	}
#endif
	default:
		return CKR_MECHANISM_INVALID;
	}
	if (ret != 0) {
		crypto_mac_free(m);
		return crypto_mbed_error(ret);
	}
	*out = m;
	return CKR_OK;
}

size_t crypto_mac_len(const crypto_mac *m)
{
	return m->len;
}

CK_RV crypto_mac_update(crypto_mac *m, const void *data, size_t n)
{
	int ret;

	if (m->done)
		return CKR_OPERATION_NOT_INITIALIZED;
	if (n == 0)
		return CKR_OK;
	if (data == NULL)
		return CKR_ARGUMENTS_BAD;
#if IOT_WITH_AES
	if (m->alg == MAC_CMAC) {
		ret = mbedtls_cipher_cmac_update(&m->u.cipher, data, n);
		return ret == 0 ? CKR_OK : crypto_mbed_error(ret);
	}
#endif
	ret = mbedtls_md_hmac_update(&m->u.md, data, n);
	return ret == 0 ? CKR_OK : crypto_mbed_error(ret);
}

CK_RV crypto_mac_final(crypto_mac *m, uint8_t *out)
{
	int ret;

	if (m->done)
		return CKR_OPERATION_NOT_INITIALIZED;
	m->done = 1;
#if IOT_WITH_AES
	if (m->alg == MAC_CMAC) {
		ret = mbedtls_cipher_cmac_finish(&m->u.cipher, out);
		return ret == 0 ? CKR_OK : crypto_mbed_error(ret);
	}
#endif
	ret = mbedtls_md_hmac_finish(&m->u.md, out);
	return ret == 0 ? CKR_OK : crypto_mbed_error(ret);
}

void crypto_mac_free(crypto_mac *m)
{
	/* mbedTLS's frees zeroize the HMAC pads and the CMAC state. */
	if (m == NULL)
		return;
#if IOT_WITH_AES
	if (m->alg == MAC_CMAC)
		mbedtls_cipher_free(&m->u.cipher);
#endif
#if IOT_WITH_HMAC
	if (m->alg == MAC_HMAC)
		mbedtls_md_free(&m->u.md);
#endif
	port_free_secret(m, sizeof(*m));
}

#endif /* IOT_WITH_HMAC || IOT_WITH_AES */
