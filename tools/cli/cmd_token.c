/* Token management: slots, info, init, set-pin, change-pin. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct {
	CK_FLAGS flag;
	const char *name;
} token_flags[] = {
	{ CKF_RNG, "RNG" },
	{ CKF_WRITE_PROTECTED, "WRITE_PROTECTED" },
	{ CKF_LOGIN_REQUIRED, "LOGIN_REQUIRED" },
	{ CKF_USER_PIN_INITIALIZED, "USER_PIN_INITIALIZED" },
	{ CKF_RESTORE_KEY_NOT_NEEDED, "RESTORE_KEY_NOT_NEEDED" },
	{ CKF_CLOCK_ON_TOKEN, "CLOCK_ON_TOKEN" },
	{ CKF_PROTECTED_AUTHENTICATION_PATH, "PROTECTED_AUTHENTICATION_PATH" },
	{ CKF_DUAL_CRYPTO_OPERATIONS, "DUAL_CRYPTO_OPERATIONS" },
	{ CKF_TOKEN_INITIALIZED, "TOKEN_INITIALIZED" },
	{ CKF_SECONDARY_AUTHENTICATION, "SECONDARY_AUTHENTICATION" },
	{ CKF_USER_PIN_COUNT_LOW, "USER_PIN_COUNT_LOW" },
	{ CKF_USER_PIN_FINAL_TRY, "USER_PIN_FINAL_TRY" },
	{ CKF_USER_PIN_LOCKED, "USER_PIN_LOCKED" },
	{ CKF_USER_PIN_TO_BE_CHANGED, "USER_PIN_TO_BE_CHANGED" },
	{ CKF_SO_PIN_COUNT_LOW, "SO_PIN_COUNT_LOW" },
	{ CKF_SO_PIN_FINAL_TRY, "SO_PIN_FINAL_TRY" },
	{ CKF_SO_PIN_LOCKED, "SO_PIN_LOCKED" },
	{ CKF_SO_PIN_TO_BE_CHANGED, "SO_PIN_TO_BE_CHANGED" },
};

#define NFLAGS (sizeof(token_flags) / sizeof(token_flags[0]))

static void print_flags(FILE *f, CK_FLAGS flags)
{
	bool first = true;

	for (size_t i = 0; i < NFLAGS; i++)
		if (flags & token_flags[i].flag) {
			fprintf(f, "%s%s", first ? "" : " ", token_flags[i].name);
			first = false;
		}
	if (first)
		fputs("(none)", f);
}

static void json_flags(struct json *j, CK_FLAGS flags)
{
	json_arr_begin(j);
	for (size_t i = 0; i < NFLAGS; i++)
		if (flags & token_flags[i].flag)
			json_str(j, token_flags[i].name);
	json_arr_end(j);
}

struct tstr {
	char label[33], manufacturer[33], model[17], serial[17];
};

static void token_strings(const CK_TOKEN_INFO *ti, struct tstr *s)
{
	p11_fixed_str(s->label, ti->label, sizeof(ti->label));
	p11_fixed_str(s->manufacturer, ti->manufacturerID, sizeof(ti->manufacturerID));
	p11_fixed_str(s->model, ti->model, sizeof(ti->model));
	p11_fixed_str(s->serial, ti->serialNumber, sizeof(ti->serialNumber));
}

static void json_token(struct json *j, const CK_TOKEN_INFO *ti, bool full)
{
	struct tstr s;
	bool init = ti->flags & CKF_TOKEN_INITIALIZED;

	token_strings(ti, &s);
	json_obj_begin(j);
	json_key(j, "label");
	json_str(j, init ? s.label : "");
	json_key(j, "manufacturer");
	json_str(j, s.manufacturer);
	json_key(j, "model");
	json_str(j, s.model);
	json_key(j, "serial");
	json_str(j, s.serial);
	json_key(j, "initialized");
	json_bool(j, init);
	json_key(j, "user_pin_initialized");
	json_bool(j, ti->flags & CKF_USER_PIN_INITIALIZED);
	json_key(j, "flags");
	json_flags(j, ti->flags);
	if (full) {
		json_key(j, "user_pin_count_low");
		json_bool(j, ti->flags & CKF_USER_PIN_COUNT_LOW);
		json_key(j, "user_pin_final_try");
		json_bool(j, ti->flags & CKF_USER_PIN_FINAL_TRY);
		json_key(j, "user_pin_locked");
		json_bool(j, ti->flags & CKF_USER_PIN_LOCKED);
		json_key(j, "so_pin_count_low");
		json_bool(j, ti->flags & CKF_SO_PIN_COUNT_LOW);
		json_key(j, "so_pin_final_try");
		json_bool(j, ti->flags & CKF_SO_PIN_FINAL_TRY);
		json_key(j, "so_pin_locked");
		json_bool(j, ti->flags & CKF_SO_PIN_LOCKED);
		json_key(j, "min_pin_len");
		json_ulong(j, ti->ulMinPinLen);
		json_key(j, "max_pin_len");
		json_ulong(j, ti->ulMaxPinLen);
		json_key(j, "sessions");
		json_ulong(j, ti->ulSessionCount);
		json_key(j, "firmware_version");
		fprintf(j->f, "\"%u.%u\"", ti->firmwareVersion.major, ti->firmwareVersion.minor);
	}
	json_obj_end(j);
}

int cmd_slots(const struct opts *o)
{
	struct p11 p;
	CK_SLOT_ID *slots = NULL;
	CK_ULONG n = 0;
	CK_RV rv;
	struct json j;
	int ret = 1;

	if (!p11_load(&p, o))
		goto out;
	rv = p.f->C_GetSlotList(CK_FALSE, NULL, &n);
	if (rv == CKR_OK && n > 0) {
		slots = calloc(n, sizeof(*slots));
		rv = slots ? p.f->C_GetSlotList(CK_FALSE, slots, &n) : CKR_HOST_MEMORY;
	}
	if (rv != CKR_OK) {
		report_rv(&p, "listing the slots", rv, NULL);
		goto out;
	}
	json_init(&j, stdout);
	if (o->json)
		json_arr_begin(&j);
	for (CK_ULONG i = 0; i < n; i++) {
		CK_SLOT_INFO si;
		CK_TOKEN_INFO ti;
		char desc[65];
		bool present;
		struct tstr s;

		if (p.f->C_GetSlotInfo(slots[i], &si) != CKR_OK)
			continue;
		p11_fixed_str(desc, si.slotDescription, sizeof(si.slotDescription));
		present = (si.flags & CKF_TOKEN_PRESENT) &&
			  p.f->C_GetTokenInfo(slots[i], &ti) == CKR_OK;
		if (o->json) {
			json_obj_begin(&j);
			json_key(&j, "slot");
			json_ulong(&j, slots[i]);
			json_key(&j, "description");
			json_str(&j, desc);
			json_key(&j, "token");
			if (present)
				json_token(&j, &ti, false);
			else
				json_null(&j);
			json_obj_end(&j);
			continue;
		}
		printf("Slot %lu: %s\n", slots[i], desc);
		if (!present) {
			printf("  no token\n");
			continue;
		}
		token_strings(&ti, &s);
		if (!(ti.flags & CKF_TOKEN_INITIALIZED)) {
			printf("  token: not initialized (iotoken init --slot %lu --label ...)\n",
			       slots[i]);
			continue;
		}
		printf("  token: '%s', serial %s, %s\n  flags: ", s.label, s.serial,
		       ti.flags & CKF_USER_PIN_INITIALIZED ? "user PIN set" : "user PIN not set");
		print_flags(stdout, ti.flags);
		putchar('\n');
	}
	if (o->json) {
		json_arr_end(&j);
		json_end(&j);
	}
	ret = 0;
out:
	free(slots);
	p11_unload(&p);
	return ret;
}

int cmd_info(const struct opts *o)
{
	struct p11 p;
	CK_TOKEN_INFO *ti = &p.tinfo;
	struct tstr s;
	struct json j;
	int ret = 1;

	if (!p11_load(&p, o) || !p11_pick_slot(&p, o, NULL))
		goto out;
	if (o->json) {
		json_init(&j, stdout);
		json_obj_begin(&j);
		json_key(&j, "slot");
		json_ulong(&j, p.slot);
		json_key(&j, "token");
		json_token(&j, ti, true);
		json_obj_end(&j);
		json_end(&j);
		ret = 0;
		goto out;
	}
	token_strings(ti, &s);
	printf("Slot:            %lu\n", p.slot);
	printf("Label:           %s\n", s.label);
	printf("Manufacturer:    %s\n", s.manufacturer);
	printf("Model:           %s\n", s.model);
	printf("Serial:          %s\n", s.serial);
	printf("Initialized:     %s\n", ti->flags & CKF_TOKEN_INITIALIZED ? "yes" : "no");
	printf("User PIN:        %s%s%s%s\n",
	       ti->flags & CKF_USER_PIN_INITIALIZED ? "initialized" : "not initialized",
	       ti->flags & CKF_USER_PIN_COUNT_LOW ? ", COUNT_LOW" : "",
	       ti->flags & CKF_USER_PIN_FINAL_TRY ? ", FINAL_TRY" : "",
	       ti->flags & CKF_USER_PIN_LOCKED ? ", LOCKED" : "");
	printf("SO PIN:          %s%s%s%s\n", "set",
	       ti->flags & CKF_SO_PIN_COUNT_LOW ? ", COUNT_LOW" : "",
	       ti->flags & CKF_SO_PIN_FINAL_TRY ? ", FINAL_TRY" : "",
	       ti->flags & CKF_SO_PIN_LOCKED ? ", LOCKED" : "");
	printf("PIN length:      %lu to %lu\n", ti->ulMinPinLen, ti->ulMaxPinLen);
	printf("Sessions:        %lu\n", ti->ulSessionCount);
	printf("Firmware:        %u.%u\n", ti->firmwareVersion.major, ti->firmwareVersion.minor);
	printf("Flags:           ");
	print_flags(stdout, ti->flags);
	putchar('\n');
	ret = 0;
out:
	p11_unload(&p);
	return ret;
}

/* The first slot whose token is present but not initialized. */
static bool free_slot(struct p11 *p, CK_SLOT_ID *slot)
{
	CK_SLOT_ID *slots = NULL;
	CK_ULONG n = 0;
	bool found = false;

	if (p->f->C_GetSlotList(CK_TRUE, NULL, &n) != CKR_OK || n == 0)
		return false;
	slots = calloc(n, sizeof(*slots));
	if (slots && p->f->C_GetSlotList(CK_TRUE, slots, &n) == CKR_OK) {
		for (CK_ULONG i = 0; i < n && !found; i++) {
			CK_TOKEN_INFO ti;

			if (p->f->C_GetTokenInfo(slots[i], &ti) == CKR_OK &&
			    !(ti.flags & CKF_TOKEN_INITIALIZED)) {
				*slot = slots[i];
				found = true;
			}
		}
	}
	free(slots);
	return found;
}

int cmd_init(const struct opts *o)
{
	struct p11 p;
	CK_UTF8CHAR label[32];
	CK_SLOT_ID slot;
	char *so_pin = NULL;
	CK_RV rv;
	int ret = 1;

	if (!o->label)
		die_usage("init", "--label is required");
	if (strlen(o->label) > sizeof(label))
		die_usage("init", "a token label has at most 32 bytes");
	memset(label, ' ', sizeof(label));
	memcpy(label, o->label, strlen(o->label));
	if (!p11_load(&p, o))
		goto out;
	if (o->has_slot) {
		slot = o->slot;
	} else if (!free_slot(&p, &slot)) {
		errmsg("no slot with an uninitialized token: name one with --slot N (this "
		       "destroys its objects)");
		goto out;
	}
	p.slot = slot;
	so_pin = pin_get(o->so_pin, "IOTOKEN_SO_PIN", "New SO PIN: ", true);
	if (!so_pin) {
		errmsg("no SO PIN: give --so-pin, set IOTOKEN_SO_PIN, or run on a terminal to be "
		       "asked");
		goto out;
	}
	rv = p.f->C_InitToken(slot, (CK_UTF8CHAR_PTR)so_pin, strlen(so_pin), label);
	if (rv != CKR_OK) {
		report_rv(&p, "initializing the token", rv, NULL);
		goto out;
	}
	printf("Token '%s' initialized in slot %lu; next: iotoken set-pin --token '%s'\n", o->label,
	       slot, o->label);
	ret = 0;
out:
	pin_free(so_pin);
	p11_unload(&p);
	return ret;
}

int cmd_set_pin(const struct opts *o)
{
	struct p11 p;
	char *pin = NULL;
	CK_RV rv;
	int ret = 1;

	if (!p11_load(&p, o) || !p11_pick_slot(&p, o, NULL) || !p11_open(&p, o, LOGIN_SO))
		goto out;
	pin = pin_get(o->new_pin, "IOTOKEN_NEW_PIN", "New user PIN: ", true);
	if (!pin) {
		errmsg("no new user PIN: give --new-pin, set IOTOKEN_NEW_PIN, or run on a "
		       "terminal to be asked");
		goto out;
	}
	rv = p.f->C_InitPIN(p.session, (CK_UTF8CHAR_PTR)pin, strlen(pin));
	if (rv != CKR_OK) {
		report_rv(&p, "setting the user PIN", rv, NULL);
		goto out;
	}
	printf("User PIN of token '%s' set\n", p.token_label);
	ret = 0;
out:
	pin_free(pin);
	p11_unload(&p);
	return ret;
}

int cmd_change_pin(const struct opts *o)
{
	struct p11 p;
	char *old = NULL, *pin = NULL;
	const char *who = o->so ? "SO" : "user";
	CK_RV rv;
	int ret = 1;

	if (!p11_load(&p, o) || !p11_pick_slot(&p, o, NULL))
		goto out;
	/* "C_SetPIN modifies the PIN of the user that is currently logged in, or the
	 * CKU_USER PIN if the session is not logged in" (v2.40, 5.6): the SO logs in
	 * first, the user PIN changes in a public R/W session. */
	if (!p11_open(&p, o, o->so ? LOGIN_SO : LOGIN_NONE))
		goto out;
	if (o->so)
		old = pin_get(o->so_pin, "IOTOKEN_SO_PIN", "SO PIN: ", false);
	else
		old = pin_get(o->pin, "IOTOKEN_PIN", "Current user PIN: ", false);
	if (!old) {
		errmsg("no current %s PIN: give %s, set %s, or run on a terminal to be asked", who,
		       o->so ? "--so-pin" : "--pin", o->so ? "IOTOKEN_SO_PIN" : "IOTOKEN_PIN");
		goto out;
	}
	pin = pin_get(o->new_pin, "IOTOKEN_NEW_PIN",
		      o->so ? "New SO PIN: " : "New user PIN: ", true);
	if (!pin) {
		errmsg("no new PIN: give --new-pin, set IOTOKEN_NEW_PIN, or run on a terminal to "
		       "be asked");
		goto out;
	}
	rv = p.f->C_SetPIN(p.session, (CK_UTF8CHAR_PTR)old, strlen(old), (CK_UTF8CHAR_PTR)pin,
			   strlen(pin));
	if (rv != CKR_OK) {
		report_rv(&p, "changing the PIN", rv, NULL);
		goto out;
	}
	printf("%s PIN of token '%s' changed\n", o->so ? "SO" : "User", p.token_label);
	ret = 0;
out:
	pin_free(old);
	pin_free(pin);
	p11_unload(&p);
	return ret;
}
