/*
 * The object record format: an object's attributes as versioned,
 * little-endian bytes with an integrity check.
 *
 *   "IOTO" | version u16 | flags u16 | count u32
 *   count x ( type u64 | kind u8 | len u32 | len bytes )
 *   SHA-256 of everything before (header and entries), first 16 bytes
 *   [ MAC, 32 bytes, when flags has CODEC_F_MAC ]
 *
 * kind 0: the value in clear; kind 1: a sealed blob (seal.h). The check
 * catches corruption; it is unkeyed, so it does not stop someone who writes
 * the store and recomputes it. The MAC does: the caller computes it from the
 * full SHA-256 of header and entries under a key it has (seal.h: private
 * objects, keyed by the token master key) and checks it when it has the key.
 * A damaged MAC is not seen by the check; it fails its own verification.
 *
 * Version 2 (written) has the flags field; version 1 records (flags 0, no
 * MAC) are still read, and the caller decides what a record without a MAC is
 * worth (core/object.c: nothing, for a private object).
 */
#ifndef IOTOKEN_CODEC_H
#define IOTOKEN_CODEC_H

#include <stdint.h>

#include "port/port.h"

#define CODEC_VERSION 2
#define CODEC_F_MAC 0x1u
#define CODEC_MAC_LEN 32
#define CODEC_DIGEST_LEN 32 /* SHA-256 */
#define CODEC_MAX_ATTRS 128
#define CODEC_MAX_VALUE (1u << 20)

typedef struct codec_attr {
	CK_ATTRIBUTE_TYPE type;
	uint8_t sealed;
	const uint8_t *value;
	size_t len;
} codec_attr;

/* Encodes n attributes into a new buffer (port_free_secret it), without a
 * MAC. */
CK_RV codec_encode(const codec_attr *attrs, size_t n, uint8_t **out, size_t *outlen) IOT_MUST_CHECK;

/* Writes the MAC of a record whose header and entries hash to digest. */
typedef CK_RV (*codec_mac_fn)(void *ctx, const uint8_t digest[CODEC_DIGEST_LEN],
			      uint8_t mac[CODEC_MAC_LEN]);
/* codec_encode with a MAC that mac (not NULL) writes. */
CK_RV codec_encode_mac(const codec_attr *attrs, size_t n, codec_mac_fn mac, void *ctx,
		       uint8_t **out, size_t *outlen) IOT_MUST_CHECK;

/* Size codec_encode would produce (codec_encode_mac: CODEC_MAC_LEN more). */
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

/* What codec_check_info tells of a record it accepted. */
typedef struct codec_info {
	unsigned version;
	int has_mac;
	const uint8_t *mac;               /* into the record, when has_mac */
	uint8_t digest[CODEC_DIGEST_LEN]; /* SHA-256 of header and entries */
} codec_info;
CK_RV codec_check_info(const uint8_t *in, size_t len, codec_info *info) IOT_MUST_CHECK;
CK_RV codec_each(const uint8_t *in, size_t len, codec_attr_fn fn, void *ctx) IOT_MUST_CHECK;

#endif
