/*
 * Backend-neutral part of the EC private-key import (included by
 * openssl_ec.c and mbedtls_ec.c).
 */
#ifndef IOTOKEN_CRYPTO_EC_SCALAR_H
#define IOTOKEN_CRYPTO_EC_SCALAR_H

#include <stdint.h>
#include <string.h>

/*
 * The private scalar (SECURITY.md row 31): our part of its import runs in
 * constant time. No branch and no memory address depends on the scalar's
 * bytes, only on the lengths and on the verdict valid/invalid, which are
 * public (tests/ctgrind/ctgrind.c --ecdsa checks it under valgrind).
 *
 * Under memcheck the scalar is undefined, and so is everything computed from
 * it. Two of those values are public by definition and are marked so here:
 * the verdict (the answer of the call, as public as a right or wrong PIN)
 * and the public point d*G. Natively the client request is a no-op.
 */
#include "crypto/ct_public.h"
#define SCALAR_PUBLIC(p, n) CT_PUBLIC(p, n)

/* 1 when the big-endian d (len bytes) is an integer in [1, n-1] (SEC 1
 * 3.2.1), else 0; d is left-padded with zeros into out (size bytes, the
 * order's length). Leading zeros are allowed (a stored CKA_VALUE is often
 * padded to the field size): the bytes before the last size ones must be
 * zero. Constant time: every byte is read once, the order compare runs over
 * all size bytes, and the result is made of masks, not branches. */
static uint32_t scalar_import(const uint8_t *d, size_t len, const uint8_t *order, size_t size,
			      uint8_t *out)
{
	const size_t skip = len > size ? len - size : 0, pad = len < size ? size - len : 0;
	uint32_t high = 0, any = 0, lt = 0, gt = 0, a, b;
	size_t i;

	for (i = 0; i < skip; i++)
		high |= d[i];
	memset(out, 0, pad);
	if (size > pad)
		memcpy(out + pad, d + skip, size - pad);
	for (i = 0; i < size; i++) {
		a = out[i];
		b = order[i];
		any |= a;
		/* The first differing byte decides: (a - b) >> 8 is all ones
		 * when a < b (a and b < 256), zero otherwise. */
		lt |= ((a - b) >> 8) & 1 & ~(lt | gt);
		gt |= ((b - a) >> 8) & 1 & ~(lt | gt);
	}
	/* any != 0 and high == 0, as bits: 0 - x has its top bit set for x
	 * in [1, 255], x - 1 for x == 0. */
	return lt & ((0u - any) >> 31) & ((high - 1) >> 31);
}

#endif
