/*
 * The module and the session of one command: dlopen, C_GetFunctionList,
 * C_Initialize, slot choice, session and login, and error messages that
 * name the PKCS#11 error and say what to do.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "iotoken/provision.h"

const char *rv_name(CK_RV rv)
{
	return iot_prov_rv_name(rv);
}

static const char *pin_hint(struct p11 *p, bool so)
{
	static char buf[160];
	CK_TOKEN_INFO ti;
	CK_FLAGS locked = so ? CKF_SO_PIN_LOCKED : CKF_USER_PIN_LOCKED;
	CK_FLAGS final = so ? CKF_SO_PIN_FINAL_TRY : CKF_USER_PIN_FINAL_TRY;
	CK_FLAGS low = so ? CKF_SO_PIN_COUNT_LOW : CKF_USER_PIN_COUNT_LOW;
	const char *who = so ? "SO" : "user";
	const char *left = "the token does not say how many attempts are left";

	if (p->f && p->f->C_GetTokenInfo(p->slot, &ti) == CKR_OK) {
		if (ti.flags & locked)
			left = so ? "the SO PIN is now locked"
				  : "the PIN is now locked: the SO must set a new one (iotoken set-pin)";
		else if (ti.flags & final)
			left = "1 attempt left before the PIN locks";
		else if (ti.flags & low)
			/* COUNT_LOW: "at least one" failure since the last success. */
			left = "failures are counted and the PIN locks after too many; the token "
			       "does not say how many attempts are left";
	}
	snprintf(buf, sizeof(buf), "wrong %s PIN; %s", who, left);
	return buf;
}

static const char *default_hint(struct p11 *p, CK_RV rv)
{
	switch (rv) {
	case CKR_PIN_INCORRECT:
		return pin_hint(p, false);
	case CKR_PIN_LOCKED:
		return "the PIN is locked: the SO must set a new user PIN (iotoken set-pin)";
	case CKR_PIN_LEN_RANGE:
		return "the PIN is too short or too long for this token (iotoken info shows the range)";
	case CKR_PIN_INVALID:
		return "the PIN has characters the token does not accept";
	case CKR_USER_PIN_NOT_INITIALIZED:
		return "the user PIN is not set yet: the SO sets it with iotoken set-pin";
	case CKR_TOKEN_NOT_RECOGNIZED:
	case CKR_TOKEN_NOT_PRESENT:
		return "the slot has no usable token: initialize one with iotoken init";
	case CKR_SLOT_ID_INVALID:
		return "no such slot: iotoken slots lists them";
	case CKR_SESSION_EXISTS:
		return "other sessions are open on the token: close the programs using it";
	case CKR_MECHANISM_INVALID:
		return "the token does not support this mechanism";
	case CKR_KEY_TYPE_INCONSISTENT:
		return "the key's type does not fit the mechanism";
	case CKR_SIGNATURE_INVALID:
	case CKR_SIGNATURE_LEN_RANGE:
		return "the signature does not match the data and the key";
	case CKR_TEMPLATE_INCONSISTENT:
		return "the objects do not fit together";
	case CKR_ARGUMENTS_BAD:
		return "the input is not valid";
	case CKR_USER_NOT_LOGGED_IN:
		return "log in: give the user PIN (--pin, IOTOKEN_PIN or the prompt)";
	case CKR_TOKEN_WRITE_PROTECTED:
		return "the token is write-protected";
	case CKR_DEVICE_MEMORY:
	case CKR_HOST_MEMORY:
		return "out of memory";
	case CKR_OBJECT_HANDLE_INVALID:
	case CKR_KEY_HANDLE_INVALID:
		return "no such object: iotoken list shows the token's objects";
	case CKR_DATA_LEN_RANGE:
		return "the input's length does not fit the mechanism";
	default:
		return "see the module's documentation for this error";
	}
}

void report_rv(struct p11 *p, const char *what, CK_RV rv, const char *hint)
{
	errmsg("%s failed: %s (%s)", what, rv_name(rv), hint ? hint : default_hint(p, rv));
}

bool p11_load(struct p11 *p, const struct opts *o)
{
	CK_C_GetFunctionList getfl;
	CK_C_INITIALIZE_ARGS args = { 0 };
	CK_RV rv;

	memset(p, 0, sizeof(*p));
	p->dl = dlopen(o->module, RTLD_NOW | RTLD_LOCAL);
	if (!p->dl) {
		errmsg("cannot load the PKCS#11 module %s: %s (give --module PATH or set "
		       "IOTOKEN_MODULE)",
		       o->module, dlerror());
		return false;
	}
	*(void **)&getfl = dlsym(p->dl, "C_GetFunctionList");
	if (!getfl) {
		errmsg("%s is not a PKCS#11 module (no C_GetFunctionList)", o->module);
		return false;
	}
	rv = getfl(&p->f);
	if (rv != CKR_OK || !p->f) {
		report_rv(p, "C_GetFunctionList", rv, "the module is unusable");
		p->f = NULL;
		return false;
	}
	args.flags = CKF_OS_LOCKING_OK;
	rv = p->f->C_Initialize(&args);
	if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED) {
		report_rv(p, "C_Initialize", rv,
			  "the module could not start; check its configuration");
		return false;
	}
	p->initialized = rv == CKR_OK;
	return true;
}

void p11_unload(struct p11 *p)
{
	if (p->has_session)
		(void)p->f->C_CloseSession(p->session);
	if (p->initialized)
		(void)p->f->C_Finalize(NULL);
	if (p->dl)
		dlclose(p->dl);
	memset(p, 0, sizeof(*p));
}

/* A blank-padded PKCS#11 string as a C string, trailing blanks removed. */
void p11_fixed_str(char *dst, const CK_UTF8CHAR *src, size_t n)
{
	memcpy(dst, src, n);
	while (n > 0 && dst[n - 1] == ' ')
		n--;
	dst[n] = '\0';
}

static bool use_slot(struct p11 *p, CK_SLOT_ID slot)
{
	CK_RV rv;

	p->slot = slot;
	rv = p->f->C_GetTokenInfo(slot, &p->tinfo);
	if (rv != CKR_OK) {
		report_rv(p, "reading the token information", rv, NULL);
		return false;
	}
	p11_fixed_str(p->token_label, p->tinfo.label, sizeof(p->tinfo.label));
	return true;
}

bool p11_pick_slot(struct p11 *p, const struct opts *o, const char *uri_token)
{
	CK_SLOT_ID *slots = NULL;
	CK_ULONG n = 0;
	CK_RV rv;
	const char *want = o->token ? o->token : uri_token;
	size_t found = 0;
	CK_SLOT_ID pick = 0;
	bool ok = false;

	if (o->has_slot)
		return use_slot(p, o->slot);
	rv = p->f->C_GetSlotList(CK_TRUE, NULL, &n);
	if (rv == CKR_OK && n > 0) {
		slots = calloc(n, sizeof(*slots));
		if (!slots) {
			errmsg("out of memory");
			return false;
		}
		rv = p->f->C_GetSlotList(CK_TRUE, slots, &n);
	}
	if (rv != CKR_OK) {
		report_rv(p, "listing the slots", rv, NULL);
		goto out;
	}
	for (CK_ULONG i = 0; i < n; i++) {
		CK_TOKEN_INFO ti;
		char label[33];

		if (p->f->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
			continue;
		if (!(ti.flags & CKF_TOKEN_INITIALIZED))
			continue;
		p11_fixed_str(label, ti.label, sizeof(ti.label));
		if (want && strcmp(label, want) != 0)
			continue;
		if (found++ == 0)
			pick = slots[i];
	}
	if (found == 0) {
		if (want)
			errmsg("no token labelled '%s' (iotoken slots lists the tokens)", want);
		else
			errmsg("no initialized token (create one with iotoken init)");
		goto out;
	}
	if (found > 1) {
		if (want)
			errmsg("%zu tokens are labelled '%s': choose one with --slot N", found,
			       want);
		else
			errmsg("%zu tokens: choose one with --slot N or --token LABEL (iotoken "
			       "slots lists them)",
			       found);
		goto out;
	}
	ok = use_slot(p, pick);
out:
	free(slots);
	return ok;
}

static bool login(struct p11 *p, const struct opts *o, bool so, bool optional)
{
	char *pin = NULL;
	CK_RV rv;
	bool pad = (p->tinfo.flags & CKF_PROTECTED_AUTHENTICATION_PATH) != 0;

	if (!pad) {
		if (so)
			pin = pin_get(o->so_pin, "IOTOKEN_SO_PIN", "SO PIN: ", false);
		else
			pin = pin_get(o->pin, "IOTOKEN_PIN", "User PIN: ", false);
		if (!pin) {
			if (optional)
				return true;
			errmsg("no %s PIN: give %s, set %s, or run on a terminal to be asked",
			       so ? "SO" : "user", so ? "--so-pin" : "--pin",
			       so ? "IOTOKEN_SO_PIN" : "IOTOKEN_PIN");
			return false;
		}
	}
	rv = p->f->C_Login(p->session, so ? CKU_SO : CKU_USER, (CK_UTF8CHAR_PTR)pin,
			   pin ? strlen(pin) : 0);
	pin_free(pin);
	if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN)
		return true;
	if (rv == CKR_PIN_INCORRECT)
		report_rv(p, "login", rv, pin_hint(p, so));
	else if (rv == CKR_PIN_LOCKED && so)
		report_rv(p, "login", rv, "the SO PIN is locked: the token must be re-created");
	else
		report_rv(p, "login", rv, NULL);
	return false;
}

bool p11_open(struct p11 *p, const struct opts *o, enum login_mode mode)
{
	CK_RV rv;

	rv = p->f->C_OpenSession(p->slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL,
				 &p->session);
	if (rv == CKR_TOKEN_WRITE_PROTECTED)
		rv = p->f->C_OpenSession(p->slot, CKF_SERIAL_SESSION, NULL, NULL, &p->session);
	if (rv != CKR_OK) {
		report_rv(p, "opening a session", rv, NULL);
		return false;
	}
	p->has_session = true;
	switch (mode) {
	case LOGIN_NONE:
		return true;
	case LOGIN_USER:
		return login(p, o, false, false);
	case LOGIN_USER_OPT:
		return login(p, o, false, true);
	case LOGIN_SO:
		return login(p, o, true, false);
	}
	return false;
}
