/*
 * The object record format: an object's attributes as versioned,
 * little-endian bytes with an integrity check.
 *
 *   "IOTO" | version u16 | 0 u16 | count u32
 *   count x ( type u64 | kind u8 | len u32 | len bytes )
 *   SHA-256 of everything before, first 16 bytes
 *
 * kind 0: the value in clear; kind 1: a sealed blob (seal.h). The check
 * catches corruption; tampering is caught by the AEAD of sealed values.
 */
#ifndef IOTOKEN_CODEC_H
#define IOTOKEN_CODEC_H

#include <stdint.h>

#include "port/port.h"

#define CODEC_VERSION 1
#define CODEC_MAX_ATTRS 128
#define CODEC_MAX_VALUE (1u << 20)

typedef struct codec_attr {
	CK_ATTRIBUTE_TYPE type;
	uint8_t sealed;
	const uint8_t *value;
	size_t len;
} codec_attr;

/* Encodes n attributes into a new buffer (port_free_secret it). */
CK_RV codec_encode(const codec_attr *attrs, size_t n, uint8_t **out, size_t *outlen) IOT_MUST_CHECK;

/* Size codec_encode would produce. */
size_t codec_size(const codec_attr *attrs, size_t n);

typedef CK_RV (*codec_attr_fn)(void *ctx, const codec_attr *attr);
/* Checks the whole record first, then calls fn per attribute (values point
 * into in). A malformed record is CKR_DEVICE_ERROR. */
CK_RV codec_decode(const uint8_t *in, size_t len, codec_attr_fn fn, void *ctx) IOT_MUST_CHECK;

/* codec_decode in two steps, for callers that walk a record more than once:
 * codec_check checks the whole record (CKR_DEVICE_ERROR when malformed);
 * codec_each, only on a record codec_check accepted, calls fn per attribute
 * and stops at the first error fn returns. */
CK_RV codec_check(const uint8_t *in, size_t len) IOT_MUST_CHECK;
CK_RV codec_each(const uint8_t *in, size_t len, codec_attr_fn fn, void *ctx) IOT_MUST_CHECK;

#endif
