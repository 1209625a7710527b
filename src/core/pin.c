/*
 * PINs and login. A PIN is never stored: it derives (PBKDF2) a key that
 * unwraps the token master key, so checking a PIN is an AEAD tag check.
 * Failed attempts are counted in the store before the check runs, so
 * killing the process mid-check cannot save an attempt (SECURITY.md row 17).
 */
#include <stdio.h>
#include <string.h>

#include "core/module.h"

static int pin_len_ok(size_t len)
{
	return len >= CONFIG_MIN_PIN_LEN && len <= CONFIG_MAX_PIN_LEN;
}

static CK_RV wrap_under_pin(store_pin *p, int role, const uint8_t *pin, size_t len,
			    const uint8_t tmk[SEAL_TMK_LEN])
{
	uint8_t kek[SEAL_KEK_LEN];
	CK_RV rv;

	/* A fresh salt and the current iteration count: a PIN change also
	 * upgrades the KDF parameters. */
	p->iterations = module.cfg.iterations;
	rv = crypto_random(p->salt, sizeof(p->salt));
	if (rv == CKR_OK)
		rv = seal_kek_derive(pin, len, p->salt, p->iterations, kek);
	if (rv == CKR_OK)
		rv = seal_tmk_wrap(kek, role, tmk, p->wrapped);
	port_wipe(kek, sizeof(kek));
	if (rv == CKR_OK) {
		p->set = 1;
		p->failures = 0;
	}
	return rv;
}

/* Verifies pin for role and on success returns the master key. */
static CK_RV check_pin(token *tok, int role, const uint8_t *pin, size_t len,
		       uint8_t tmk[SEAL_TMK_LEN])
{
	uint8_t kek[SEAL_KEK_LEN];
	store_pin *p;
	CK_RV rv;

	/* The freshest counter: another process may have failed too. */
	rv = store_token_load(tok->st, &tok->rec);
	if (rv != CKR_OK)
		return rv;
	p = &tok->rec.pin[role];
	if (!p->set)
		return role == STORE_ROLE_USER ? CKR_USER_PIN_NOT_INITIALIZED : CKR_PIN_INCORRECT;
	if (p->failures >= module.cfg.max_failures)
		return CKR_PIN_LOCKED;
	rv = store_pin_attempt(tok->st, role, p);
	if (rv != CKR_OK)
		return rv;
	/* Another process may have used the last attempt meanwhile. */
	if (p->failures > module.cfg.max_failures)
		return CKR_PIN_LOCKED;
	/* An empty or out-of-range PIN authenticates nobody; it still costs
	 * an attempt. */
	if (!pin_len_ok(len))
		return CKR_PIN_INCORRECT;
	rv = seal_kek_derive(pin, len, p->salt, p->iterations, kek);
	if (rv == CKR_OK)
		rv = seal_tmk_unwrap(kek, role, p->wrapped, tmk);
	port_wipe(kek, sizeof(kek));
	if (rv != CKR_OK)
		return rv;
	p->failures = 0;
	rv = store_pin_save(tok->st, role, p);
	if (rv != CKR_OK)
		port_wipe(tmk, SEAL_TMK_LEN);
	return rv;
}

static void make_serial(uint8_t serial[16], const uint8_t rnd[8])
{
	static const char hex[] = "0123456789ABCDEF";
	int i;

	for (i = 0; i < 8; i++) {
		serial[2 * i] = (uint8_t)hex[rnd[i] >> 4];
		serial[2 * i + 1] = (uint8_t)hex[rnd[i] & 15];
	}
}

CK_RV pin_init_token(token *tok, const uint8_t *so_pin, size_t len, const uint8_t label[32])
{
	uint8_t tmk[SEAL_TMK_LEN], rnd[8];
	store_token rec;
	object *o;
	CK_RV rv;

	if (!pin_len_ok(len))
		return CKR_PIN_LEN_RANGE;
	memset(&rec, 0, sizeof(rec));
	if (tok->st != NULL) {
		/* Re-initialization needs the SO PIN; it keeps the serial. */
		rv = check_pin(tok, STORE_ROLE_SO, so_pin, len, tmk);
		port_wipe(tmk, sizeof(tmk));
		if (rv != CKR_OK)
			return rv;
		memcpy(rec.serial, tok->rec.serial, sizeof(rec.serial));
	} else {
		rv = crypto_random(rnd, sizeof(rnd));
		if (rv != CKR_OK)
			return rv;
		make_serial(rec.serial, rnd);
	}
	memcpy(rec.label, label, sizeof(rec.label));
	/* A new master key: nothing sealed under the old one survives. */
	rv = crypto_random(tmk, sizeof(tmk));
	if (rv == CKR_OK)
		rv = wrap_under_pin(&rec.pin[STORE_ROLE_SO], STORE_ROLE_SO, so_pin, len, tmk);
	port_wipe(tmk, sizeof(tmk));
	if (rv != CKR_OK)
		return rv;
	if (tok->st != NULL)
		rv = store_reset(tok->st, &rec);
	else
		rv = store_open(tok->path, 1, &rec, &tok->st);
	if (rv != CKR_OK) {
		if (tok->st == NULL)
			config_log("cannot create %s (error 0x%lx)", tok->path, rv);
		return rv;
	}
	token_forget_login(tok);
	while ((o = tok->objects) != NULL)
		token_destroy_object(tok, o);
	tok->rec = rec;
	port_wipe(&rec, sizeof(rec));
	return CKR_OK;
}

CK_RV pin_login(token *tok, CK_USER_TYPE user, const uint8_t *pin, size_t len)
{
	int role = user == CKU_SO ? STORE_ROLE_SO : STORE_ROLE_USER;
	object *o;
	CK_RV rv;

	if (tok->login == user)
		return CKR_USER_ALREADY_LOGGED_IN;
	if (tok->login != LOGIN_NONE)
		return CKR_USER_ANOTHER_ALREADY_LOGGED_IN;
	/* v2.40 5.6 C_Login: the SO cannot log in while a read-only session
	 * of the application exists. */
	if (user == CKU_SO && tok->sessions > tok->rw_sessions)
		return CKR_SESSION_READ_ONLY_EXISTS;
	rv = check_pin(tok, role, pin, len, tok->tmk);
	if (rv != CKR_OK) {
		port_wipe(tok->tmk, sizeof(tok->tmk));
		return rv;
	}
	tok->tmk_loaded = 1;
	tok->login = user;
	if (user != CKU_USER)
		return CKR_OK;
	/* Open every private object now; one whose record fails its MAC or a
	 * value its tag was altered on disk, and the login fails closed rather
	 * than hide it. */
	for (o = tok->objects; o != NULL; o = o->next) {
		if (!o->is_private)
			continue;
		rv = object_unseal(o, tok->tmk);
		if (rv == CKR_OK && o->handle == 0)
			rv = handle_add(&module.objects, o, &o->handle);
		if (rv != CKR_OK)
			break;
	}
	if (rv != CKR_OK) {
		if (o->auth.state == OBJ_AUTH_OLD)
			config_log("private object %llx in %s has a record of format 1, without "
				   "the MAC private records need now: re-initialize the token",
				   (unsigned long long)o->id, tok->path);
		else
			config_log("private object %llx in %s failed to open (error 0x%lx)",
				   (unsigned long long)o->id, tok->path, rv);
		token_forget_login(tok);
		return rv == CKR_HOST_MEMORY ? rv : CKR_DEVICE_ERROR;
	}
	return CKR_OK;
}

CK_RV pin_logout(token *tok)
{
	if (tok->login == LOGIN_NONE)
		return CKR_USER_NOT_LOGGED_IN;
	token_forget_login(tok);
	return CKR_OK;
}

CK_RV pin_init_user(token *tok, const uint8_t *pin, size_t len)
{
	store_pin p;
	CK_RV rv;

	if (!pin_len_ok(len))
		return CKR_PIN_LEN_RANGE;
	memset(&p, 0, sizeof(p));
	rv = wrap_under_pin(&p, STORE_ROLE_USER, pin, len, tok->tmk);
	if (rv == CKR_OK)
		rv = store_pin_save(tok->st, STORE_ROLE_USER, &p);
	if (rv == CKR_OK)
		tok->rec.pin[STORE_ROLE_USER] = p;
	return rv;
}

CK_RV pin_set(token *tok, CK_USER_TYPE who, const uint8_t *old, size_t oldlen, const uint8_t *pin,
	      size_t len)
{
	int role = who == CKU_SO ? STORE_ROLE_SO : STORE_ROLE_USER;
	uint8_t tmk[SEAL_TMK_LEN];
	store_pin p;
	CK_RV rv;

	if (!pin_len_ok(len))
		return CKR_PIN_LEN_RANGE;
	rv = check_pin(tok, role, old, oldlen, tmk);
	if (rv != CKR_OK)
		return rv;
	p = tok->rec.pin[role];
	rv = wrap_under_pin(&p, role, pin, len, tmk);
	port_wipe(tmk, sizeof(tmk));
	if (rv == CKR_OK)
		rv = store_pin_save(tok->st, role, &p);
	if (rv == CKR_OK)
		tok->rec.pin[role] = p;
	return rv;
}
