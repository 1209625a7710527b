/*
 * import: a private key and its certificate, a FreeRTOS credentials header,
 * or a certificate alone, through the provisioning library (which refuses a
 * certificate that is not the key's before writing anything).
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "iotoken/provision.h"

static void print_uris(struct p11 *p, const char *label, const unsigned char *id, size_t id_len,
		       bool key, bool cert)
{
	CK_OBJECT_CLASS classes[] = { CKO_PRIVATE_KEY, CKO_CERTIFICATE };

	for (int i = 0; i < 2; i++) {
		char *uri;

		if ((i == 0 && !key) || (i == 1 && !cert))
			continue;
		uri = uri_format(p->token_label, label, id, id_len, classes[i]);
		if (uri)
			printf("  %s\n", uri);
		free(uri);
	}
}

static const char *import_hint(CK_RV rv)
{
	switch (rv) {
	case CKR_TEMPLATE_INCONSISTENT:
		return "the certificate's public key is not the private key's; nothing was "
		       "imported";
	case CKR_PIN_INCORRECT:
		return "wrong passphrase for the private key, or none given (--passphrase-env "
		       "VAR); nothing was imported";
	case CKR_ARGUMENTS_BAD:
		return "the key or certificate could not be parsed (PEM or DER; PKCS#8, SEC1, "
		       "PKCS#1; X.509); nothing was imported";
	case CKR_KEY_HANDLE_INVALID:
		return "the token has no private key for this certificate's public key: import "
		       "the key first";
	default:
		return NULL;
	}
}

/* The certificate's CKA_ID and label, to print its URI. */
static void cert_uri(struct p11 *p, const char *label)
{
	struct objsel s = { 0 };
	CK_OBJECT_HANDLE *hs = NULL;
	size_t n = 0;
	unsigned char *id = NULL;
	size_t id_len = 0;

	s.label = label;
	s.cls = CKO_CERTIFICATE;
	s.has_class = true;
	if (obj_find(p, &s, &hs, &n) == CKR_OK && n == 1 &&
	    obj_attr(p, hs[0], CKA_ID, &id, &id_len) == CKR_OK)
		print_uris(p, label, id, id_len, false, true);
	free(id);
	free(hs);
}

int cmd_import(const struct opts *o)
{
	struct p11 p = { 0 };
	unsigned char *key = NULL, *cert = NULL, *hdr = NULL, *id = NULL;
	size_t key_len = 0, cert_len = 0, hdr_len = 0, id_len = 0;
	char *key_pem = NULL, *cert_pem = NULL, *pass = NULL;
	iot_prov_labels labels;
	const char *cert_label = o->cert_label ? o->cert_label : o->label;
	CK_RV rv;
	int ret = 1;

	if (!o->label)
		die_usage("import", "--label is required");
	if (o->header && (o->key || o->cert))
		die_usage("import", "--header brings the key and certificate: no --key or --cert");
	if (!o->header && !o->key && !o->cert)
		die_usage("import", "give --key FILE [--cert FILE], --header FILE or --cert FILE");
	if (o->passphrase_env) {
		const char *v = getenv(o->passphrase_env);

		if (!v) {
			errmsg("the environment variable %s (--passphrase-env) is not set",
			       o->passphrase_env);
			return 1;
		}
		pass = strdup(v);
		if (!pass)
			return 1;
	}
	if (o->header) {
		if (!file_read(o->header, &hdr, &hdr_len))
			goto out;
		rv = iot_prov_parse_header((const char *)hdr, hdr_len, &key_pem, &cert_pem);
		if (rv != CKR_OK) {
			errmsg("%s: %s (no keyCLIENT_PRIVATE_KEY_PEM or keyCLIENT_CERTIFICATE_PEM "
			       "found)",
			       o->header, rv_name(rv));
			goto out;
		}
		if (key_pem) {
			key = (unsigned char *)key_pem;
			key_len = strlen(key_pem);
		}
		if (cert_pem) {
			cert = (unsigned char *)cert_pem;
			cert_len = strlen(cert_pem);
		}
	} else {
		if (o->key && !file_read(o->key, &key, &key_len))
			goto out;
		if (o->cert && !file_read(o->cert, &cert, &cert_len))
			goto out;
	}
	if (!p11_load(&p, o) || !p11_pick_slot(&p, o, NULL) || !p11_open(&p, o, LOGIN_USER))
		goto out;

	if (!key) {
		rv = iot_prov_import_cert(p.f, p.session, cert, cert_len, cert_label);
		if (rv != CKR_OK) {
			report_rv(&p, "importing the certificate", rv, import_hint(rv));
			goto out;
		}
		printf("Imported certificate '%s' into token '%s'\n", cert_label, p.token_label);
		cert_uri(&p, cert_label);
		ret = 0;
		goto out;
	}
	labels.key_label = o->label;
	labels.cert_label = cert_label;
	rv = iot_prov_import(p.f, p.session, key, key_len, pass, cert, cert_len, &labels, &id,
			     &id_len);
	if (rv == CKR_PIN_INCORRECT && !pass && pin_can_prompt()) {
		pass = pin_get(NULL, NULL, "Passphrase of the private key: ", false);
		if (pass)
			rv = iot_prov_import(p.f, p.session, key, key_len, pass, cert, cert_len,
					     &labels, &id, &id_len);
	}
	if (rv != CKR_OK) {
		report_rv(&p, "import", rv, import_hint(rv));
		goto out;
	}
	printf("Imported private key '%s'%s into token '%s', id ", o->label,
	       cert ? " and its certificate" : "", p.token_label);
	hex_print(stdout, id, id_len);
	putchar('\n');
	print_uris(&p, o->label, id, id_len, true, false);
	if (cert)
		print_uris(&p, cert_label, id, id_len, false, true);
	ret = 0;
out:
	/* The header's texts come from the library: freed with iot_prov_free. */
	if (key)
		wipe(key, key_len);
	if (key_pem)
		iot_prov_free(key_pem);
	else
		free(key);
	if (cert_pem)
		iot_prov_free(cert_pem);
	else
		free(cert);
	if (hdr)
		wipe(hdr, hdr_len);
	free(hdr);
	pin_free(pass);
	iot_prov_free(id);
	p11_unload(&p);
	return ret;
}
