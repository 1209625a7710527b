/*
 * Stubs of the store (src/store/store.h) and of encryption at rest
 * (src/store/seal.h). The record codec (src/store/codec.c) is not stubbed:
 * it is analysed with the module.
 *
 * Contracts checked at each call (an unproved assertion is an alarm against
 * the caller, i.e. the module): the store is one that store_open returned
 * and store_close did not close; paths are strings; buffers given are
 * readable/writable for the lengths given; roles are in range.
 *
 * Results: while verify_setup is set every call succeeds and the store is
 * unchanged by other processes; afterwards each call may fail with any error
 * store.h lists, store_changed may report a change, store_token_load and
 * store_pin_attempt return arbitrary records, and store_objects_load
 * delivers, after a token load, up to VERIFY_STORE_RECORDS records of
 * arbitrary bytes (lengths 0..VERIFY_RECORD_MAX) to the module's callback.
 */
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "store/seal.h"
#include "store/store.h"
#include "verify.h"

#ifndef VERIFY_STORE_RECORDS
#define VERIFY_STORE_RECORDS 0
#endif
#ifndef VERIFY_RECORD_MAX
#define VERIFY_RECORD_MAX 96
#endif

struct store {
	int open;
};

static const unsigned long store_errors[] = { CKR_DEVICE_ERROR, CKR_DEVICE_MEMORY,
					      CKR_HOST_MEMORY };
#define STORE_RV() verify_rv(3, store_errors)

static void check_store(const store *s)
{
	//@ assert store_is_open: \valid_read(s) && s->open == 1;
	(void)s;
}

CK_RV store_open(const char *path, int create, const store_token *t, store **out)
{
	static const unsigned long open_errors[] = { CKR_TOKEN_NOT_PRESENT, CKR_DEVICE_ERROR,
						     CKR_HOST_MEMORY };
	store *s;
	CK_RV rv;

	(void)strlen(path);
	if (create) {
		//@ assert store_open_record: \valid_read(t);
		(void)t;
	}
	/* CKR_TOKEN_NOT_PRESENT only without create. */
	rv = verify_rv(create ? 2 : 3, create ? open_errors + 1 : open_errors);
	if (rv != CKR_OK)
		return rv;
	s = malloc(sizeof(*s));
	if (s == NULL)
		return CKR_HOST_MEMORY;
	s->open = 1;
	*out = s;
	return CKR_OK;
}

void store_close(store *s)
{
	if (s == NULL)
		return;
	check_store(s);
	s->open = 0;
	free(s);
}

/* Set by a harness before a setup C_Login (setup.c verify_login): both
 * PINs are set, no failure counted, the default iteration count. */
int verify_store_pins;

static void setup_pin(store_pin *p)
{
	p->set = 1;
	p->iterations = CONFIG_DEFAULT_ITERATIONS;
	p->failures = 0;
}

static void setup_pins(store_token *t)
{
	int r;

	for (r = 0; r < STORE_ROLES; r++)
		setup_pin(&t->pin[r]);
}

static void arbitrary_record(store_token *t)
{
	Frama_C_make_unknown((char *)t, sizeof(*t));
}

CK_RV store_token_load(store *s, store_token *out)
{
	check_store(s);
	//@ assert store_token_out: \valid(out);
	if (verify_setup) {
		memset(out, 0, sizeof(*out));
		memset(out->label, ' ', sizeof(out->label));
		memset(out->serial, ' ', sizeof(out->serial));
		if (verify_store_pins)
			setup_pins(out);
		return CKR_OK;
	}
	if (STORE_RV() != CKR_OK)
		return Frama_C_nondet(0, 1) ? CKR_DEVICE_ERROR : CKR_HOST_MEMORY;
	arbitrary_record(out);
	return CKR_OK;
}

CK_RV store_token_save(store *s, const store_token *t)
{
	check_store(s);
	//@ assert store_token_in: \valid_read(t);
	return STORE_RV();
}

CK_RV store_pin_save(store *s, int role, const store_pin *p)
{
	check_store(s);
	//@ assert store_role: 0 <= role < STORE_ROLES;
	//@ assert store_pin_in: \valid_read(p);
	return STORE_RV();
}

CK_RV store_pin_attempt(store *s, int role, store_pin *out)
{
	CK_RV rv;

	check_store(s);
	//@ assert store_role: 0 <= role < STORE_ROLES;
	//@ assert store_pin_out: \valid(out);
	if (verify_setup && verify_store_pins) {
		memset(out, 0, sizeof(*out));
		setup_pin(out);
		out->failures = 1; /* this attempt */
		return CKR_OK;
	}
	rv = STORE_RV();
	if (rv == CKR_OK)
		Frama_C_make_unknown((char *)out, sizeof(*out));
	return rv;
}

CK_RV store_reset(store *s, const store_token *t)
{
	check_store(s);
	//@ assert store_token_in: \valid_read(t);
	return STORE_RV();
}

CK_RV store_object_put(store *s, uint64_t id, const uint8_t *data, size_t len)
{
	check_store(s);
	//@ assert store_put_data: len == 0 || \valid_read(data + (0 .. len - 1));
	(void)id;
	return STORE_RV();
}

CK_RV store_object_delete(store *s, uint64_t id)
{
	check_store(s);
	(void)id;
	return STORE_RV();
}

CK_RV store_objects_load(store *s, store_object_fn fn, void *ctx)
{
	uint8_t rec[VERIFY_RECORD_MAX];
	uint64_t id = 0;
	CK_RV rv = CKR_OK;
	int i;

	check_store(s);
	if (verify_setup)
		return CKR_OK;
	for (i = 0; i < VERIFY_STORE_RECORDS && rv == CKR_OK && Frama_C_nondet(0, 1); i++) {
		size_t len = verify_size(0, sizeof(rec));

		/* Ascending ids, as store.h promises. */
		id += 1 + verify_size(0, 1000);
		Frama_C_make_unknown((char *)rec, sizeof(rec));
		rv = fn(ctx, id, rec, len);
	}
	if (rv == CKR_OK)
		rv = STORE_RV();
	return rv;
}

/* Set by a harness: store_changed never reports a change (it may still
 * fail), i.e. no token reload in the call under proof (verify.h). */
int verify_store_unchanged;

CK_RV store_changed(store *s, int *changed)
{
	CK_RV rv;

	check_store(s);
	//@ assert store_changed_out: \valid(changed);
	*changed = 0;
	rv = STORE_RV();
	if (rv == CKR_OK && !verify_setup && !verify_store_unchanged)
		*changed = Frama_C_nondet(0, 1);
	return rv;
}

/* ---- seal.h ---- */

static const unsigned long seal_errors[] = { CKR_HOST_MEMORY, CKR_FUNCTION_FAILED };

CK_RV seal_kek_derive(const uint8_t *pin, size_t pinlen, const uint8_t salt[STORE_SALT_LEN],
		      uint32_t iterations, uint8_t kek[SEAL_KEK_LEN])
{
	//@ assert seal_pin: pinlen == 0 || \valid_read(pin + (0 .. pinlen - 1));
	//@ assert seal_salt: \valid_read(salt + (0 .. STORE_SALT_LEN - 1));
	//@ assert seal_kek: \valid(kek + (0 .. SEAL_KEK_LEN - 1));
	(void)iterations;
	Frama_C_make_unknown((char *)kek, SEAL_KEK_LEN);
	return verify_rv(2, seal_errors);
}

CK_RV seal_tmk_wrap(const uint8_t kek[SEAL_KEK_LEN], int role, const uint8_t tmk[SEAL_TMK_LEN],
		    uint8_t out[STORE_WRAPPED_LEN])
{
	//@ assert seal_kek: \valid_read(kek + (0 .. SEAL_KEK_LEN - 1));
	//@ assert seal_tmk: \valid_read(tmk + (0 .. SEAL_TMK_LEN - 1));
	//@ assert seal_wrapped: \valid(out + (0 .. STORE_WRAPPED_LEN - 1));
	//@ assert seal_role: 0 <= role < STORE_ROLES;
	Frama_C_make_unknown((char *)out, STORE_WRAPPED_LEN);
	return verify_rv(2, seal_errors);
}

CK_RV seal_tmk_unwrap(const uint8_t kek[SEAL_KEK_LEN], int role,
		      const uint8_t in[STORE_WRAPPED_LEN], uint8_t tmk[SEAL_TMK_LEN])
{
	static const unsigned long errors[] = { CKR_PIN_INCORRECT, CKR_HOST_MEMORY };

	//@ assert seal_kek: \valid_read(kek + (0 .. SEAL_KEK_LEN - 1));
	//@ assert seal_wrapped: \valid_read(in + (0 .. STORE_WRAPPED_LEN - 1));
	//@ assert seal_tmk: \valid(tmk + (0 .. SEAL_TMK_LEN - 1));
	//@ assert seal_role: 0 <= role < STORE_ROLES;
	Frama_C_make_unknown((char *)tmk, SEAL_TMK_LEN);
	return verify_rv(2, errors);
}

CK_RV seal_attr(const uint8_t tmk[SEAL_TMK_LEN], uint64_t id, CK_ATTRIBUTE_TYPE type,
		const uint8_t *ac, size_t aclen, const uint8_t *in, size_t n, uint8_t *out)
{
	//@ assert seal_tmk: \valid_read(tmk + (0 .. SEAL_TMK_LEN - 1));
	//@ assert seal_ac: aclen == 0 || \valid_read(ac + (0 .. aclen - 1));
	//@ assert seal_in: n == 0 || \valid_read(in + (0 .. n - 1));
	//@ assert seal_out: \valid(out + (0 .. n + SEAL_OVERHEAD - 1));
	(void)id;
	(void)type;
	Frama_C_make_unknown((char *)out, n + SEAL_OVERHEAD);
	return verify_rv(2, seal_errors);
}

CK_RV seal_attr_open(const uint8_t tmk[SEAL_TMK_LEN], uint64_t id, CK_ATTRIBUTE_TYPE type,
		     const uint8_t *ac, size_t aclen, const uint8_t *in, size_t n, uint8_t *out)
{
	static const unsigned long errors[] = { CKR_DEVICE_ERROR, CKR_HOST_MEMORY };

	//@ assert seal_tmk: \valid_read(tmk + (0 .. SEAL_TMK_LEN - 1));
	//@ assert seal_ac: aclen == 0 || \valid_read(ac + (0 .. aclen - 1));
	//@ assert seal_open_len: n >= SEAL_OVERHEAD;
	//@ assert seal_in: \valid_read(in + (0 .. n - 1));
	//@ assert seal_out: n == SEAL_OVERHEAD || \valid(out + (0 .. n - SEAL_OVERHEAD - 1));
	(void)id;
	(void)type;
	if (n > SEAL_OVERHEAD)
		Frama_C_make_unknown((char *)out, n - SEAL_OVERHEAD);
	return verify_rv(2, errors);
}

CK_RV seal_record_mac(const uint8_t tmk[SEAL_TMK_LEN], uint64_t id,
		      const uint8_t digest[CRYPTO_SHA256_LEN], uint8_t mac[SEAL_MAC_LEN])
{
	//@ assert seal_tmk: \valid_read(tmk + (0 .. SEAL_TMK_LEN - 1));
	//@ assert seal_digest: \valid_read(digest + (0 .. CRYPTO_SHA256_LEN - 1));
	//@ assert seal_mac: \valid(mac + (0 .. SEAL_MAC_LEN - 1));
	(void)id;
	Frama_C_make_unknown((char *)mac, SEAL_MAC_LEN);
	return verify_rv(2, seal_errors);
}

CK_RV seal_record_verify(const uint8_t tmk[SEAL_TMK_LEN], uint64_t id,
			 const uint8_t digest[CRYPTO_SHA256_LEN], const uint8_t mac[SEAL_MAC_LEN])
{
	static const unsigned long errors[] = { CKR_DEVICE_ERROR, CKR_HOST_MEMORY };

	//@ assert seal_tmk: \valid_read(tmk + (0 .. SEAL_TMK_LEN - 1));
	//@ assert seal_digest: \valid_read(digest + (0 .. CRYPTO_SHA256_LEN - 1));
	//@ assert seal_mac: \valid_read(mac + (0 .. SEAL_MAC_LEN - 1));
	(void)id;
	return verify_rv(2, errors);
}
