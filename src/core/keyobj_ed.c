/* Ed25519 key objects (see keyobj_ed.h). */
#include <string.h>

#include "core/keyobj_ed.h"

#if IOT_WITH_ED25519

static const uint8_t oid_rfc8410[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };
static const uint8_t oid_gnupg[] = { 0x06, 0x09, 0x2b, 0x06, 0x01, 0x04,
				     0x01, 0xda, 0x47, 0x0f, 0x01 };
static const uint8_t name_ed25519[] = { 0x13, 0x0c, 'e', 'd', 'w', 'a', 'r',
					'd',  's',  '2', '5', '5', '1', '9' };

static int is(const uint8_t *p, size_t len, const uint8_t *want, size_t wlen)
{
	return len == wlen && memcmp(p, want, wlen) == 0;
}

CK_RV ed_params_check(const uint8_t *p, size_t len)
{
	if (p == NULL || len < 2)
		return CKR_ATTRIBUTE_VALUE_INVALID;
	if (is(p, len, oid_rfc8410, sizeof(oid_rfc8410)) ||
	    is(p, len, oid_gnupg, sizeof(oid_gnupg)) ||
	    is(p, len, name_ed25519, sizeof(name_ed25519)))
		return CKR_OK;
	/* One well-formed OID or PrintableString: another curve. */
	if ((p[0] == 0x06 || p[0] == 0x13) && p[1] < 0x80 && (size_t)p[1] + 2 == len)
		return CKR_CURVE_NOT_SUPPORTED;
	return CKR_ATTRIBUTE_VALUE_INVALID;
}

/* The 32 bytes of CKA_EC_POINT: its DER OCTET STRING, or the raw key. */
static CK_RV point_of(const obj_value *v, const uint8_t **pub)
{
	if (v->value != NULL && v->len == ED_POINT_DER_LEN && v->value[0] == 0x04 &&
	    v->value[1] == CRYPTO_ED25519_KEY_LEN) {
		*pub = v->value + 2;
		return CKR_OK;
	}
	if (v->value != NULL && v->len == CRYPTO_ED25519_KEY_LEN) {
		*pub = v->value;
		return CKR_OK;
	}
	return CKR_ATTRIBUTE_VALUE_INVALID;
}

CK_RV ed_build_key(const object *obj, crypto_key **out)
{
	const obj_value *params = object_value(obj, CKA_EC_PARAMS);
	const obj_value *v;
	const uint8_t *pub;
	CK_RV rv = ed_params_check(params->value, params->len);

	if (rv != CKR_OK)
		return rv;
	if (obj->kind == KIND_PRIV_ED) {
		v = object_value(obj, CKA_VALUE);
		if (v->len > 0 && v->value == NULL)
			return CKR_USER_NOT_LOGGED_IN;
		return crypto_ed25519_private(v->value, v->len, out);
	}
	rv = point_of(object_value(obj, CKA_EC_POINT), &pub);
	return rv != CKR_OK ? rv : crypto_ed25519_public(pub, CRYPTO_ED25519_KEY_LEN, out);
}

CK_RV ed_material(const crypto_key *k, uint8_t point_der[ED_POINT_DER_LEN],
		  uint8_t seed[CRYPTO_ED25519_KEY_LEN])
{
	CK_RV rv;

	point_der[0] = 0x04;
	point_der[1] = CRYPTO_ED25519_KEY_LEN;
	rv = crypto_ed25519_pub(k, point_der + 2);
	if (rv == CKR_OK && seed != NULL)
		rv = crypto_ed25519_seed(k, seed);
	return rv;
}

CK_RV ed_import(object *obj, const crypto_key *k)
{
	uint8_t der[ED_POINT_DER_LEN];
	const obj_value *v = object_value(obj, CKA_EC_POINT);
	const uint8_t *given;
	CK_RV rv = ed_material(k, der, NULL);

	if (rv != CKR_OK)
		return rv;
	if (v->len > 0) {
		rv = point_of(v, &given);
		if (rv != CKR_OK)
			return rv;
		if (memcmp(given, der + 2, CRYPTO_ED25519_KEY_LEN) != 0)
			return CKR_TEMPLATE_INCONSISTENT;
	}
	return object_set_value(obj, CKA_EC_POINT, der, sizeof(der));
}

CK_RV ed_generate(const CK_ATTRIBUTE *pub, CK_ULONG npub, crypto_key **out)
{
	CK_ULONG i;

	for (i = 0; i < npub; i++)
		if (pub[i].type == CKA_EC_PARAMS) {
			CK_RV rv = ed_params_check(pub[i].pValue, pub[i].ulValueLen);

			return rv != CKR_OK ? rv : crypto_ed25519_generate(out);
		}
	return CKR_TEMPLATE_INCOMPLETE;
}

#endif
