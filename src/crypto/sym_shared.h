/*
 * The part of the AES modes both backends share (included by openssl_sym.c
 * and mbedtls_sym.c after their struct crypto_aes, which has the fields
 * used here): parameter checks, the length functions of crypto_sym.h,
 * holding partial blocks, the constant-time CBC_PAD unpadding, the CTR
 * counter bound and GCM's held ciphertext. Each includer defines blocks():
 * whole blocks through its library's ECB or CBC.
 */
#ifndef IOTOKEN_CRYPTO_SYM_SHARED_H
#define IOTOKEN_CRYPTO_SYM_SHARED_H

#include "crypto/ct_public.h"

static CK_RV check_params(enum crypto_aes_mode mode, size_t key_len, const crypto_aes_params *p)
{
	if (key_index(key_len) < 0)
		return CKR_KEY_SIZE_RANGE;
	switch (mode) {
	case AES_ECB:
		return CKR_OK;
	case AES_CBC:
	case AES_CBC_PAD:
		if (p == NULL || p->iv == NULL || p->iv_len != CRYPTO_AES_BLOCK)
			return CKR_MECHANISM_PARAM_INVALID;
		return CKR_OK;
	case AES_CTR:
		if (p == NULL || p->iv == NULL || p->iv_len != CRYPTO_AES_BLOCK ||
		    p->ctr_bits < 1 || p->ctr_bits > 128)
			return CKR_MECHANISM_PARAM_INVALID;
		return CKR_OK;
	case AES_GCM:
		if (p == NULL || p->iv == NULL || p->iv_len < 1 || p->iv_len > CRYPTO_GCM_MAX_IV ||
		    p->aad_len > CRYPTO_GCM_MAX_AAD || (p->aad_len > 0 && p->aad == NULL))
			return CKR_MECHANISM_PARAM_INVALID;
		if (p->tag_len != 4 && p->tag_len != 8 && (p->tag_len < 12 || p->tag_len > 16))
			return CKR_MECHANISM_PARAM_INVALID;
		return CKR_OK;
	}
	return CKR_MECHANISM_INVALID;
}

/*
 * How many blocks the counter block cb can count before its low bits
 * wrap: 2^bits minus the counter's present value (UINT64_MAX for 2^64 or
 * more). The ciphers increment the whole 128-bit block, so staying under
 * this bound is what keeps them equal to PKCS#11's counter of bits bits
 * (and the key stream from repeating).
 */
static uint64_t ctr_room(const uint8_t cb[CRYPTO_AES_BLOCK], size_t bits)
{
	uint64_t hi = 0, lo = 0, mask;
	int i;

	for (i = 0; i < 8; i++) {
		hi = hi << 8 | cb[i];
		lo = lo << 8 | cb[8 + i];
	}
	if (bits < 64)
		return (UINT64_C(1) << bits) - (lo & ((UINT64_C(1) << bits) - 1));
	if (bits > 64) {
		mask = bits == 128 ? UINT64_MAX : (UINT64_C(1) << (bits - 64)) - 1;
		if ((hi & mask) != mask)
			return UINT64_MAX; /* at least 2^64 */
	}
	return lo == 0 ? UINT64_MAX : 0 - lo;
}

static int block_mode(const crypto_aes *c)
{
	return c->mode == AES_ECB || c->mode == AES_CBC || c->mode == AES_CBC_PAD;
}

size_t crypto_aes_update_len(const crypto_aes *c, size_t n)
{
	size_t total;

	if (c->done)
		return 0;
	switch (c->mode) {
	case AES_CTR:
		return n;
	case AES_GCM:
		return c->enc ? n : 0;
	default:
		if (n > SIZE_MAX - c->held_len)
			return SIZE_MAX;
		total = (c->held_len + n) & ~(size_t)(CRYPTO_AES_BLOCK - 1);
		/* CBC_PAD decryption: the last whole block may be the
		 * padding; it stays until final. */
		if (c->mode == AES_CBC_PAD && !c->enc && total > 0)
			total -= CRYPTO_AES_BLOCK;
		return total;
	}
}

size_t crypto_aes_final_len(const crypto_aes *c)
{
	if (c->done)
		return 0;
	switch (c->mode) {
	case AES_CBC_PAD:
		return c->enc ? CRYPTO_AES_BLOCK : CRYPTO_AES_BLOCK - 1;
	case AES_GCM:
		if (c->enc)
			return c->tag_len;
		return c->buf_len < c->tag_len ? 0 : c->buf_len - c->tag_len;
	default:
		return 0;
	}
}

/*
 * Checks the PKCS#7 padding of the last block b: 0 when it is good (and
 * *len is the plaintext length), else nonzero. All 16 bytes are read and
 * the verdict is made of masks: no branch and no index depends on the
 * padding (a padding oracle would time it). Only the caller's branch on
 * the verdict remains, and the verdict is the function's result anyway.
 */
static uint32_t unpad(const uint8_t b[CRYPTO_AES_BLOCK], size_t *len)
{
	uint32_t pad = b[CRYPTO_AES_BLOCK - 1], bad, i;

	/* bit 8 set unless 1 <= pad <= 16 */
	bad = ((pad - 1) | (CRYPTO_AES_BLOCK - pad)) & 0x100;
	for (i = 0; i < CRYPTO_AES_BLOCK; i++) {
		/* all ones when byte i is padding: i >= 16 - pad */
		uint32_t in_pad = 0 - (((CRYPTO_AES_BLOCK - 1 - i) - pad) >> 31);

		bad |= in_pad & (b[i] ^ pad);
	}
	/* bad < 2^9: all ones when nonzero */
	bad = 0 - ((0 - bad) >> 31);
	*len = (CRYPTO_AES_BLOCK - pad) & ~bad;
	return bad;
}

static CK_RV blocks(crypto_aes *c, const uint8_t *in, size_t n, uint8_t *out);

/* Whether the n bytes at a and the m bytes at b share memory. */
static int overlap(const uint8_t *a, size_t n, const uint8_t *b, size_t m)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

	return n > 0 && m > 0 && x < y + m && y < x + n;
}

/*
 * ECB, CBC and CBC_PAD updates: releases what crypto_aes_update_len
 * names, the stream held || in in order, and keeps the rest.
 */
static CK_RV block_update(crypto_aes *c, const uint8_t *in, size_t n, uint8_t *out, size_t *outlen)
{
	size_t release = crypto_aes_update_len(c, n), done = 0, chunk, copy_len = n;
	uint8_t *copy = NULL;
	CK_RV rv = CKR_OK;

	if (release == SIZE_MAX)
		return c->enc ? CKR_DATA_LEN_RANGE : CKR_ENCRYPTED_DATA_LEN_RANGE;
	/* PKCS#11 lets the input and the output of C_EncryptUpdate and
	 * C_DecryptUpdate be the same location. With bytes held, out runs
	 * ahead of in and would overwrite input not read yet: read it from a
	 * copy then. */
	if (c->held_len > 0 && overlap(in, n, out, release)) {
		copy = port_malloc(n);
		if (copy == NULL)
			return CKR_HOST_MEMORY;
		memcpy(copy, in, n);
		in = copy;
	}
	while (done < release && rv == CKR_OK) {
		if (c->held_len == 0 && n >= CRYPTO_AES_BLOCK) {
			chunk = n & ~(size_t)(CRYPTO_AES_BLOCK - 1);
			if (chunk > release - done)
				chunk = release - done;
			rv = blocks(c, in, chunk, out + done);
			in += chunk;
			n -= chunk;
		} else {
			/* held || in has a whole block to release: make
			 * it the first 16 bytes of held */
			if (c->held_len < CRYPTO_AES_BLOCK) {
				chunk = CRYPTO_AES_BLOCK - c->held_len;
				memcpy(c->held + c->held_len, in, chunk);
				c->held_len += chunk;
				in += chunk;
				n -= chunk;
			}
			chunk = CRYPTO_AES_BLOCK;
			rv = blocks(c, c->held, chunk, out + done);
			c->held_len -= chunk;
			memmove(c->held, c->held + chunk, c->held_len);
		}
		done += chunk;
	}
	if (rv == CKR_OK) {
		if (n > 0)
			memcpy(c->held + c->held_len, in, n);
		c->held_len += n;
		*outlen = done;
	}
	if (copy != NULL)
		port_free_secret(copy, copy_len);
	return rv;
}

static CK_RV block_final(crypto_aes *c, uint8_t *out, size_t *outlen)
{
	uint8_t last[CRYPTO_AES_BLOCK];
	size_t pad, len;
	CK_RV rv;

	*outlen = 0;
	if (c->mode != AES_CBC_PAD) {
		if (c->held_len != 0)
			return c->enc ? CKR_DATA_LEN_RANGE : CKR_ENCRYPTED_DATA_LEN_RANGE;
		return CKR_OK;
	}
	if (c->enc) {
		/* PKCS#7: 1 to 16 bytes, each the padding's length. */
		pad = CRYPTO_AES_BLOCK - c->held_len;
		memset(c->held + c->held_len, (int)pad, pad);
		rv = blocks(c, c->held, CRYPTO_AES_BLOCK, out);
		if (rv == CKR_OK)
			*outlen = CRYPTO_AES_BLOCK;
		return rv;
	}
	if (c->held_len != CRYPTO_AES_BLOCK)
		return CKR_ENCRYPTED_DATA_LEN_RANGE;
	rv = blocks(c, c->held, CRYPTO_AES_BLOCK, last);
	if (rv == CKR_OK) {
		uint32_t bad = unpad(last, &len);

		/* The verdict and the length are the call's answer: public
		 * (ctgrind --unpad checks that nothing else depends on the
		 * padding). */
		CT_PUBLIC(&bad, sizeof(bad));
		CT_PUBLIC(&len, sizeof(len));
		if (bad != 0) {
			rv = CKR_ENCRYPTED_DATA_INVALID;
		} else {
			memcpy(out, last, len);
			*outlen = len;
		}
	}
	port_wipe(last, sizeof(last));
	return rv;
}

/* Refuses an update that would take the counter past its room (a partial
 * block counts as a block). */
static CK_RV ctr_check(crypto_aes *c, size_t n)
{
	uint64_t total, nblocks;

	if ((uint64_t)n > UINT64_MAX - c->ctr_bytes)
		return CKR_DATA_LEN_RANGE;
	total = c->ctr_bytes + n;
	nblocks = total / CRYPTO_AES_BLOCK + (total % CRYPTO_AES_BLOCK != 0);
	if (nblocks > c->ctr_room)
		return CKR_DATA_LEN_RANGE;
	return CKR_OK;
}

/* GCM decryption: n more bytes of ciphertext (or tag) to hold. */
static CK_RV gcm_hold(crypto_aes *c, const uint8_t *in, size_t n)
{
	size_t cap;
	uint8_t *p;

	if (n > GCM_MAX_HELD - c->buf_len)
		return CKR_DATA_LEN_RANGE;
	if (c->buf_len + n > c->buf_cap) {
		cap = c->buf_cap < 256 ? 256 : c->buf_cap;
		while (cap < c->buf_len + n)
			cap = cap > GCM_MAX_HELD / 2 ? GCM_MAX_HELD : cap * 2;
		/* Only ciphertext lives here before final: no wipe needed. */
		p = port_realloc(c->buf, cap);
		if (p == NULL)
			return CKR_HOST_MEMORY;
		c->buf = p;
		c->buf_cap = cap;
	}
	memcpy(c->buf + c->buf_len, in, n);
	c->buf_len += n;
	return CKR_OK;
}

/* GCM's end, the includer's: the tag (seal), or the tag checked and the
 * plaintext released (open). */
static CK_RV gcm_seal(crypto_aes *c, uint8_t *out, size_t *outlen);
static CK_RV gcm_open(crypto_aes *c, uint8_t *out, size_t *outlen);

CK_RV crypto_aes_final(crypto_aes *c, uint8_t *out, size_t *outlen)
{
	if (c->done)
		return CKR_OPERATION_NOT_INITIALIZED;
	c->done = 1;
	*outlen = 0;
	if (block_mode(c))
		return block_final(c, out, outlen);
	if (c->mode == AES_GCM)
		return c->enc ? gcm_seal(c, out, outlen) : gcm_open(c, out, outlen);
	return CKR_OK; /* CTR: nothing held */
}

#endif
