/*
 * keygen: a key pair generated in the token through the provisioning
 * library (private key sensitive and not extractable, both keys with the
 * SHA-1 of the public key as CKA_ID). The library always makes a CSR; it is
 * written when -o is given (subject --subject, default /CN=<label>).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "iotoken/provision.h"

#include <openssl/pem.h>

static const struct {
	const char *name;
	iot_prov_keytype type;
} keytypes[] = {
	{ "ec-p256", IOT_PROV_EC_P256 },   { "ec-p384", IOT_PROV_EC_P384 },
	{ "ec-p521", IOT_PROV_EC_P521 },   { "rsa-2048", IOT_PROV_RSA_2048 },
	{ "rsa-3072", IOT_PROV_RSA_3072 }, { "rsa-4096", IOT_PROV_RSA_4096 },
};

/* Writes a DER CSR as PEM (or DER). Prints on failure. */
static bool write_csr(const char *path, const unsigned char *der, size_t len, bool as_der)
{
	const unsigned char *c = der;
	X509_REQ *req;
	BIO *b;
	char *pem;
	long n;
	bool ok;

	if (as_der)
		return file_write(path, der, len);
	req = d2i_X509_REQ(NULL, &c, (long)len);
	b = BIO_new(BIO_s_mem());
	ok = req && b && PEM_write_bio_X509_REQ(b, req) == 1;
	if (ok) {
		n = BIO_get_mem_data(b, &pem);
		ok = file_write(path, pem, (size_t)n);
	} else {
		errmsg("the library returned a CSR OpenSSL cannot read");
	}
	BIO_free(b);
	X509_REQ_free(req);
	return ok;
}

int cmd_keygen(const struct opts *o)
{
	struct p11 p = { 0 };
	iot_prov_labels labels = { 0 };
	unsigned char *csr = NULL, *id = NULL;
	size_t csr_len = 0, id_len = 0, k;
	char *subject = NULL;
	struct objsel s = { 0 };
	CK_OBJECT_HANDLE h;
	CK_RV rv;
	int ret = 1;

	if (!o->type)
		die_usage("keygen", "--type is required (ec-p256, ec-p384, ec-p521, rsa-2048, "
				    "rsa-3072, rsa-4096)");
	for (k = 0; k < sizeof(keytypes) / sizeof(keytypes[0]); k++)
		if (strcmp(keytypes[k].name, o->type) == 0)
			break;
	if (k == sizeof(keytypes) / sizeof(keytypes[0]))
		die_usage("keygen", "unknown key type '%s'", o->type);
	if (!o->label)
		die_usage("keygen", "--label is required");
	if (o->subject && !o->out)
		die_usage("keygen", "--subject is for the CSR: give -o FILE too");
	if (o->subject) {
		subject = strdup(o->subject);
	} else if (asprintf(&subject, "/CN=%s", o->label) < 0) {
		subject = NULL;
	}
	if (!subject) {
		errmsg("out of memory");
		return 1;
	}
	if (!p11_load(&p, o) || !p11_pick_slot(&p, o, NULL) || !p11_open(&p, o, LOGIN_USER))
		goto out;
	/* One label per key pair: a second one would make names ambiguous. */
	s.label = o->label;
	s.cls = CKO_PRIVATE_KEY;
	s.has_class = true;
	{
		CK_OBJECT_HANDLE *hs = NULL;
		size_t n = 0;

		rv = obj_find(&p, &s, &hs, &n);
		free(hs);
		if (rv == CKR_OK && n > 0) {
			errmsg("token '%s' already has a private key labelled '%s' (iotoken delete "
			       "--label '%s' removes it)",
			       p.token_label, o->label, o->label);
			goto out;
		}
	}
	labels.key_label = o->label;
	rv = iot_prov_generate(p.f, p.session, keytypes[k].type, &labels, subject, &csr, &csr_len);
	if (rv != CKR_OK) {
		report_rv(&p, "key generation", rv,
			  rv == CKR_ARGUMENTS_BAD ? "check the subject (/CN=x/O=y or CN=x,O=y)"
			  : rv == CKR_MECHANISM_INVALID
				  ? "the token lacks the key type or the signature "
				    "mechanism for the CSR; nothing was kept"
				  : NULL);
		goto out;
	}
	if (o->out && !write_csr(o->out, csr, csr_len, o->der))
		goto out;
	printf("Generated %s key pair '%s' in token '%s'", o->type, o->label, p.token_label);
	if (obj_find_one(&p, &s, CKO_PRIVATE_KEY, &h) &&
	    obj_attr(&p, h, CKA_ID, &id, &id_len) == CKR_OK) {
		char *uri = uri_format(p.token_label, o->label, id, id_len, CKO_PRIVATE_KEY);

		printf(", id ");
		hex_print(stdout, id, id_len);
		if (uri)
			printf("\n  %s", uri);
		free(uri);
	}
	putchar('\n');
	if (o->out)
		printf("CSR for %s written to %s\n", subject, o->out);
	ret = 0;
out:
	free(id);
	free(subject);
	iot_prov_free(csr);
	p11_unload(&p);
	return ret;
}
