/*
 * The iotoken command-line tool: shared declarations. The tool uses only the
 * public PKCS#11 API (a module loaded with dlopen) and the provisioning
 * library (iotoken/provision.h); it never includes module internals.
 *
 * Conventions: command functions return the process exit status (0 or 1)
 * and have printed exactly one "iotoken: ..." line on stderr when they fail.
 * Helpers that can fail return CK_RV or bool and leave the message to
 * their caller unless their comment says they print it.
 */
#ifndef IOTOKEN_CLI_H
#define IOTOKEN_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "iotoken/pkcs11.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

/* Everything the command line can say; each command reads what it needs. */
struct opts {
	const char *module;
	bool has_slot;
	CK_SLOT_ID slot;
	const char *token;   /* token label */
	const char *pin;     /* --pin (user) */
	const char *so_pin;  /* --so-pin */
	const char *new_pin; /* --new-pin */
	bool so;             /* change-pin --so */
	bool json;
	const char *label;
	const char *cert_label;
	const char *id_hex; /* --id */
	const char *uri;    /* --uri */
	const char *key;    /* --key: a label, a pkcs11: URI, or a key file (import) */
	const char *cert;   /* --cert FILE */
	const char *header; /* --header FILE */
	const char *passphrase_env;
	const char *type; /* --type: keygen type, export/delete object type */
	const char *subject;
	long days;
	const char *out;       /* -o */
	const char *in;        /* -i */
	const char *signature; /* --signature */
	const char *mech;      /* -m */
	const char *format;    /* --format raw|der */
	bool der;
	bool store;
	bool yes;
	int nargs;
	char **args;
};

/* main.c */
void die_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void errmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void wipe(void *p, size_t n);
void wipe_str(char *s);

/* p11.c: the loaded module and the session of one command. */
struct p11 {
	void *dl;
	CK_FUNCTION_LIST_PTR f;
	bool initialized;
	CK_SLOT_ID slot;
	CK_TOKEN_INFO tinfo;
	char token_label[33];
	CK_SESSION_HANDLE session;
	bool has_session;
};

enum login_mode {
	LOGIN_NONE,     /* public session */
	LOGIN_USER,     /* user PIN required */
	LOGIN_USER_OPT, /* user PIN if one is available, else public */
	LOGIN_SO,
};

const char *rv_name(CK_RV rv);
/* Prints "iotoken: <what> failed: CKR_X (<hint>)"; hint NULL: a default for rv. */
void report_rv(struct p11 *p, const char *what, CK_RV rv, const char *hint);
bool p11_load(struct p11 *p, const struct opts *o);
void p11_unload(struct p11 *p);
/* Picks the slot: --slot, --token, uri_token (may be NULL), else the only
 * slot with an initialized token. Prints the message on failure. */
bool p11_pick_slot(struct p11 *p, const struct opts *o, const char *uri_token);
/* Opens a R/W session on p->slot and logs in as asked. Prints on failure. */
bool p11_open(struct p11 *p, const struct opts *o, enum login_mode mode);
void p11_fixed_str(char *dst, const CK_UTF8CHAR *src, size_t n);

/* pin.c: a PIN from the flag, else the environment variable, else a prompt
 * without echo when stdin is a terminal. NULL when none is available
 * (prints nothing). confirm: ask twice at a prompt. Free with pin_free. */
char *pin_get(const char *flag, const char *env, const char *prompt, bool confirm);
void pin_free(char *pin);
bool pin_can_prompt(void);

/* uri.c: RFC 7512 pkcs11: URIs (the path attributes iotoken uses). */
struct p11_uri {
	char *token;
	char *object;
	unsigned char *id;
	size_t id_len;
	bool has_id;
	CK_OBJECT_CLASS cls;
	bool has_class;
};
bool uri_parse(const char *text, struct p11_uri *u, char *err, size_t errlen);
void uri_free(struct p11_uri *u);
/* A malloc'ed "pkcs11:token=..;object=..;id=..;type=.." (NULL on OOM). */
char *uri_format(const char *token, const char *label, const unsigned char *id, size_t id_len,
		 CK_OBJECT_CLASS cls);
const char *uri_type_name(CK_OBJECT_CLASS cls);
bool uri_type_parse(const char *name, CK_OBJECT_CLASS *cls);

/* obj.c: finding objects and reading their attributes. */
struct objsel {
	const char *label;
	unsigned char *id;
	size_t id_len;
	bool has_id;
	CK_OBJECT_CLASS cls;
	bool has_class;
	struct p11_uri uri;
	bool has_uri;
};
/* From --label/--id/--uri (or --key, when key is not NULL: a URI or a label)
 * and --type. Prints the message on failure. */
bool objsel_from_opts(struct objsel *s, const struct opts *o, const char *key, const char *cmd);
void objsel_free(struct objsel *s);
/* All matching objects (malloc'ed array, may be empty). */
CK_RV obj_find(struct p11 *p, const struct objsel *s, CK_OBJECT_HANDLE **out, size_t *n);
/* Exactly one object of class cls matching s; prints the message otherwise. */
bool obj_find_one(struct p11 *p, const struct objsel *s, CK_OBJECT_CLASS cls, CK_OBJECT_HANDLE *h);
/* A variable-length attribute (malloc'ed, NUL-terminated extra byte). */
CK_RV obj_attr(struct p11 *p, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE t, unsigned char **v,
	       size_t *len);
CK_RV obj_ulong(struct p11 *p, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE t, CK_ULONG *v);
bool obj_bool(struct p11 *p, CK_OBJECT_HANDLE h, CK_ATTRIBUTE_TYPE t, bool *v);
/* The public key of a key pair or certificate object: CKA_PUBLIC_KEY_INFO,
 * the public key object with the same CKA_ID, a certificate with it, or the
 * RSA private key's modulus. NULL when none is found. */
EVP_PKEY *obj_public_key(struct p11 *p, CK_OBJECT_HANDLE h);
/* The public key in a public key object's own attributes. */
EVP_PKEY *obj_pubkey_from_attrs(struct p11 *p, CK_OBJECT_HANDLE h);

/* tsign.c: signatures through the token for X.509 structures. */
/* Signs tbs with the private key h the way an X.509 signature needs (ECDSA
 * over SHA-256/384/512 by curve, DER-encoded; RSA PKCS#1 v1.5 with SHA-256),
 * and says which algorithm (nid of the signature algorithm). */
CK_RV tsign_x509(struct p11 *p, CK_OBJECT_HANDLE h, EVP_PKEY *pub, const unsigned char *tbs,
		 size_t tbs_len, unsigned char **sig, size_t *sig_len, int *sig_nid);
int tsign_nid(EVP_PKEY *pub);
/* Raw r||s (each half n bytes) <-> DER ECDSA-Sig-Value. */
bool ecdsa_raw_to_der(const unsigned char *raw, size_t len, unsigned char **der, size_t *der_len);
bool ecdsa_der_to_raw(const unsigned char *der, size_t len, size_t half, unsigned char **raw,
		      size_t *raw_len);
/* "/CN=x/O=y" or RFC 4514 "CN=x,O=y" (NULL and a message on error). */
X509_NAME *subject_parse(const char *text, char *err, size_t errlen);

/* util: files and hex. */
bool file_read(const char *path, unsigned char **data, size_t *len);
bool file_write(const char *path, const void *data, size_t len);
bool hex_decode(const char *hex, unsigned char **out, size_t *len);
void hex_print(FILE *f, const unsigned char *v, size_t n);

/* json.c: a tiny writer for --json output. */
struct json {
	FILE *f;
	int depth;
	bool first[16];
	bool after_key;
};
void json_init(struct json *j, FILE *f);
void json_obj_begin(struct json *j);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j);
void json_arr_end(struct json *j);
void json_key(struct json *j, const char *k);
void json_str(struct json *j, const char *s);
void json_strn(struct json *j, const char *s, size_t n);
void json_ulong(struct json *j, unsigned long v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
void json_end(struct json *j);

/* Commands. */
int cmd_slots(const struct opts *o);
int cmd_info(const struct opts *o);
int cmd_init(const struct opts *o);
int cmd_set_pin(const struct opts *o);
int cmd_change_pin(const struct opts *o);
int cmd_import(const struct opts *o);
int cmd_keygen(const struct opts *o);
int cmd_csr(const struct opts *o);
int cmd_selfsign(const struct opts *o);
int cmd_list(const struct opts *o);
int cmd_export(const struct opts *o);
int cmd_delete(const struct opts *o);
int cmd_sign(const struct opts *o);
int cmd_verify(const struct opts *o);

#endif
