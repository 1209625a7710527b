/* Encryption at rest: TMK wrapping and attribute sealing (see seal.h). */
#include <string.h>

#include "store/seal.h"

#define AAD_MAX 128

static const char tmk_label[] = "iotoken tmk v1";
static const char objkey_label[] = "iotoken object key v1";
static const char mackey_label[] = "iotoken record mac key v1";

static void put_le64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

CK_RV seal_kek_derive(const uint8_t *pin, size_t pinlen, const uint8_t salt[STORE_SALT_LEN],
		      uint32_t iterations, uint8_t kek[SEAL_KEK_LEN])
{
	return crypto_pbkdf2_sha256(pin, pinlen, salt, STORE_SALT_LEN, iterations, kek,
				    SEAL_KEK_LEN);
}

static size_t tmk_aad(int role, uint8_t *aad)
{
	memcpy(aad, tmk_label, sizeof(tmk_label) - 1);
	aad[sizeof(tmk_label) - 1] = (uint8_t)role;
	return sizeof(tmk_label);
}

CK_RV seal_tmk_wrap(const uint8_t kek[SEAL_KEK_LEN], int role, const uint8_t tmk[SEAL_TMK_LEN],
		    uint8_t out[STORE_WRAPPED_LEN])
{
	uint8_t aad[sizeof(tmk_label)];
	size_t aadlen = tmk_aad(role, aad);
	CK_RV rv;

	rv = crypto_random(out, CRYPTO_AEAD_NONCE_LEN);
	if (rv != CKR_OK)
		return rv;
	return crypto_aead_seal(kek, out, aad, aadlen, tmk, SEAL_TMK_LEN,
				out + CRYPTO_AEAD_NONCE_LEN,
				out + CRYPTO_AEAD_NONCE_LEN + SEAL_TMK_LEN);
}

CK_RV seal_tmk_unwrap(const uint8_t kek[SEAL_KEK_LEN], int role,
		      const uint8_t in[STORE_WRAPPED_LEN], uint8_t tmk[SEAL_TMK_LEN])
{
	uint8_t aad[sizeof(tmk_label)];
	size_t aadlen = tmk_aad(role, aad);
	CK_RV rv;

	rv = crypto_aead_open(kek, in, aad, aadlen, in + CRYPTO_AEAD_NONCE_LEN, SEAL_TMK_LEN,
			      in + CRYPTO_AEAD_NONCE_LEN + SEAL_TMK_LEN, tmk);
	return rv == CKR_ENCRYPTED_DATA_INVALID ? CKR_PIN_INCORRECT : rv;
}

static CK_RV object_key(const uint8_t tmk[SEAL_TMK_LEN], uint64_t id, uint8_t key[32])
{
	uint8_t msg[sizeof(objkey_label) - 1 + 8];

	memcpy(msg, objkey_label, sizeof(objkey_label) - 1);
	put_le64(msg + sizeof(objkey_label) - 1, id);
	return crypto_hmac_sha256(tmk, SEAL_TMK_LEN, msg, sizeof(msg), key);
}

static CK_RV attr_aad(uint64_t id, CK_ATTRIBUTE_TYPE type, const uint8_t *ac, size_t aclen,
		      uint8_t *aad, size_t *aadlen)
{
	if (aclen > AAD_MAX - 20)
		return CKR_GENERAL_ERROR;
	memcpy(aad, "IOTK", 4);
	aad[4] = (uint8_t)STORE_FORMAT_VERSION;
	put_le64(aad + 5, id);
	put_le64(aad + 13, type);
	if (aclen > 0)
		memcpy(aad + 21, ac, aclen);
	*aadlen = 21 + aclen;
	return CKR_OK;
}

CK_RV seal_attr(const uint8_t tmk[SEAL_TMK_LEN], uint64_t id, CK_ATTRIBUTE_TYPE type,
		const uint8_t *ac, size_t aclen, const uint8_t *in, size_t n, uint8_t *out)
{
	uint8_t key[32], aad[AAD_MAX + 8];
	size_t aadlen;
	CK_RV rv;

	rv = attr_aad(id, type, ac, aclen, aad, &aadlen);
	if (rv != CKR_OK)
		return rv;
	rv = object_key(tmk, id, key);
	if (rv == CKR_OK)
		rv = crypto_random(out, CRYPTO_AEAD_NONCE_LEN);
	if (rv == CKR_OK)
		rv = crypto_aead_seal(key, out, aad, aadlen, in, n, out + CRYPTO_AEAD_NONCE_LEN,
				      out + CRYPTO_AEAD_NONCE_LEN + n);
	port_wipe(key, sizeof(key));
	return rv;
}

CK_RV seal_attr_open(const uint8_t tmk[SEAL_TMK_LEN], uint64_t id, CK_ATTRIBUTE_TYPE type,
		     const uint8_t *ac, size_t aclen, const uint8_t *in, size_t n, uint8_t *out)
{
	uint8_t key[32], aad[AAD_MAX + 8];
	size_t aadlen, ctlen;
	CK_RV rv;

	if (n < SEAL_OVERHEAD)
		return CKR_DEVICE_ERROR;
	ctlen = n - SEAL_OVERHEAD;
	rv = attr_aad(id, type, ac, aclen, aad, &aadlen);
	if (rv != CKR_OK)
		return rv;
	rv = object_key(tmk, id, key);
	if (rv == CKR_OK)
		rv = crypto_aead_open(key, in, aad, aadlen, in + CRYPTO_AEAD_NONCE_LEN, ctlen,
				      in + CRYPTO_AEAD_NONCE_LEN + ctlen, out);
	port_wipe(key, sizeof(key));
	return rv == CKR_ENCRYPTED_DATA_INVALID ? CKR_DEVICE_ERROR : rv;
}

/* One MAC key per token, apart from the object keys (another label: no
 * object key message is a record key message). */
CK_RV seal_record_mac(const uint8_t tmk[SEAL_TMK_LEN], uint64_t id,
		      const uint8_t digest[CRYPTO_SHA256_LEN], uint8_t mac[SEAL_MAC_LEN])
{
	uint8_t key[32], msg[4 + 8 + CRYPTO_SHA256_LEN];
	CK_RV rv;

	rv = crypto_hmac_sha256(tmk, SEAL_TMK_LEN, mackey_label, sizeof(mackey_label) - 1, key);
	if (rv == CKR_OK) {
		memcpy(msg, "IOTM", 4);
		put_le64(msg + 4, id);
		memcpy(msg + 12, digest, CRYPTO_SHA256_LEN);
		rv = crypto_hmac_sha256(key, sizeof(key), msg, sizeof(msg), mac);
	}
	port_wipe(key, sizeof(key));
	return rv;
}

CK_RV seal_record_verify(const uint8_t tmk[SEAL_TMK_LEN], uint64_t id,
			 const uint8_t digest[CRYPTO_SHA256_LEN], const uint8_t mac[SEAL_MAC_LEN])
{
	uint8_t want[SEAL_MAC_LEN];
	CK_RV rv;

	rv = seal_record_mac(tmk, id, digest, want);
	if (rv == CKR_OK && !port_ct_equal(want, mac, SEAL_MAC_LEN))
		rv = CKR_DEVICE_ERROR;
	port_wipe(want, sizeof(want));
	return rv;
}
