/* The object record codec (format in codec.h). */
#include <string.h>

#include "crypto/crypto.h"
#include "store/codec.h"

#define HEADER_LEN 12
#define ENTRY_LEN 13
#define CHECK_LEN 16

static void put_le(uint8_t *p, uint64_t v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = n - 1; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

size_t codec_size(const codec_attr *attrs, size_t n)
{
	size_t total = HEADER_LEN + CHECK_LEN;
	size_t i;

	for (i = 0; i < n; i++)
		total += ENTRY_LEN + attrs[i].len;
	return total;
}

CK_RV codec_encode_mac(const codec_attr *attrs, size_t n, codec_mac_fn mac, void *ctx,
		       uint8_t **out, size_t *outlen)
{
	uint8_t digest[CRYPTO_SHA256_LEN];
	uint8_t *buf, *p;
	size_t total, i;
	CK_RV rv;

	if (n > CODEC_MAX_ATTRS)
		return CKR_TEMPLATE_INCONSISTENT;
	for (i = 0; i < n; i++)
		if (attrs[i].len > CODEC_MAX_VALUE)
			return CKR_ATTRIBUTE_VALUE_INVALID;
	/* Bounded above: the sum cannot overflow size_t. */
	total = codec_size(attrs, n) + (mac != NULL ? CODEC_MAC_LEN : 0);
	buf = port_malloc(total);
	if (buf == NULL)
		return CKR_HOST_MEMORY;
	memcpy(buf, "IOTO", 4);
	put_le(buf + 4, CODEC_VERSION, 2);
	put_le(buf + 6, mac != NULL ? CODEC_F_MAC : 0, 2);
	put_le(buf + 8, n, 4);
	p = buf + HEADER_LEN;
	for (i = 0; i < n; i++) {
		put_le(p, attrs[i].type, 8);
		p[8] = attrs[i].sealed ? 1 : 0;
		put_le(p + 9, attrs[i].len, 4);
		p += ENTRY_LEN;
		if (attrs[i].len > 0)
			memcpy(p, attrs[i].value, attrs[i].len);
		p += attrs[i].len;
	}
	rv = crypto_sha256(buf, (size_t)(p - buf), digest);
	if (rv == CKR_OK) {
		memcpy(p, digest, CHECK_LEN);
		if (mac != NULL)
			rv = mac(ctx, digest, p + CHECK_LEN);
	}
	if (rv != CKR_OK) {
		port_free_secret(buf, total);
		return rv;
	}
	*out = buf;
	*outlen = total;
	return CKR_OK;
}

CK_RV codec_encode(const codec_attr *attrs, size_t n, uint8_t **out, size_t *outlen)
{
	return codec_encode_mac(attrs, n, NULL, NULL, out, outlen);
}

CK_RV codec_check_info(const uint8_t *in, size_t len, codec_info *info)
{
	uint8_t digest[CRYPTO_SHA256_LEN];
	const uint8_t *p, *end;
	uint64_t version, flags, count, i;
	size_t trailer = CHECK_LEN;
	CK_RV rv;

	if (len < HEADER_LEN + CHECK_LEN || memcmp(in, "IOTO", 4) != 0)
		return CKR_DEVICE_ERROR;
	version = get_le(in + 4, 2);
	flags = get_le(in + 6, 2);
	/* Version 1 has no flags; version 2 knows only the MAC. */
	if (version == 1 ? flags != 0 : version != CODEC_VERSION || (flags & ~CODEC_F_MAC) != 0)
		return CKR_DEVICE_ERROR;
	if (flags & CODEC_F_MAC)
		trailer += CODEC_MAC_LEN;
	if (len < HEADER_LEN + trailer)
		return CKR_DEVICE_ERROR;
	rv = crypto_sha256(in, len - trailer, digest);
	if (rv != CKR_OK)
		return rv;
	if (!port_ct_equal(digest, in + len - trailer, CHECK_LEN))
		return CKR_DEVICE_ERROR;
	count = get_le(in + 8, 4);
	if (count > CODEC_MAX_ATTRS)
		return CKR_DEVICE_ERROR;
	/* The structure must account for every byte. */
	p = in + HEADER_LEN;
	end = in + len - trailer;
	for (i = 0; i < count; i++) {
		uint64_t vlen;

		if ((size_t)(end - p) < ENTRY_LEN || p[8] > 1)
			return CKR_DEVICE_ERROR;
		vlen = get_le(p + 9, 4);
		p += ENTRY_LEN;
		if (vlen > CODEC_MAX_VALUE || vlen > (uint64_t)(end - p))
			return CKR_DEVICE_ERROR;
		p += vlen;
	}
	if (p != end)
		return CKR_DEVICE_ERROR;
	if (info != NULL) {
		info->version = (unsigned)version;
		info->has_mac = (flags & CODEC_F_MAC) != 0;
		info->mac = info->has_mac ? in + len - CODEC_MAC_LEN : NULL;
		memcpy(info->digest, digest, sizeof(info->digest));
	}
	return CKR_OK;
}

CK_RV codec_check(const uint8_t *in, size_t len)
{
	return codec_check_info(in, len, NULL);
}

CK_RV codec_each(const uint8_t *in, size_t len, codec_attr_fn fn, void *ctx)
{
	const uint8_t *p = in + HEADER_LEN;
	uint64_t count = get_le(in + 8, 4), i;
	CK_RV rv;

	(void)len; /* codec_check read all of it */
	for (i = 0; i < count; i++) {
		codec_attr a;

		a.type = (CK_ATTRIBUTE_TYPE)get_le(p, 8);
		a.sealed = p[8];
		a.len = (size_t)get_le(p + 9, 4);
		a.value = p + ENTRY_LEN;
		p += ENTRY_LEN + a.len;
		rv = fn(ctx, &a);
		if (rv != CKR_OK)
			return rv;
	}
	return CKR_OK;
}

CK_RV codec_decode(const uint8_t *in, size_t len, codec_attr_fn fn, void *ctx)
{
	CK_RV rv = codec_check(in, len);

	if (rv != CKR_OK)
		return rv;
	return codec_each(in, len, fn, ctx);
}
