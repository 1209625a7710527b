/*
 * First boot of a device with the provisioning API (include/iotoken/
 * provision.h), on any PKCS#11 module:
 *
 *   provision_device <module.so> <csr-out.der> [certificate]
 *
 * Opens the first initialized token and logs in with the PIN in
 * IOTOKEN_PIN. If the token holds the identity "device" (key and matching
 * certificate), it says so. Otherwise, given a certificate, it imports it
 * for the key; without one, it generates an EC P-256 key pair in the token
 * (or reuses the one there) and writes the CSR to send to the CA.
 * Every step is printed; the exit status is 0 on success.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iotoken/provision.h"

#define LABEL "device"
#define SUBJECT "/O=iotoken example/CN=device-0001"

static CK_FUNCTION_LIST_PTR load(const char *path, void **handle)
{
	CK_C_GetFunctionList get_list;
	CK_FUNCTION_LIST_PTR p11 = NULL;

	*handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (*handle == NULL) {
		fprintf(stderr, "cannot load %s: %s\n", path, dlerror());
		return NULL;
	}
	*(void **)&get_list = dlsym(*handle, "C_GetFunctionList");
	if (get_list == NULL || get_list(&p11) != CKR_OK)
		p11 = NULL;
	if (p11 == NULL)
		fprintf(stderr, "%s is not a PKCS#11 module\n", path);
	return p11;
}

static int step(const char *what, CK_RV rv)
{
	printf("%-44s %s\n", what, iot_prov_rv_name(rv));
	return rv == CKR_OK;
}

static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && n < 1024 * 1024 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n);
		if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

static int write_file(const char *path, const unsigned char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (f == NULL)
		return 0;
	ok = fwrite(data, 1, len, f) == len;
	return fclose(f) == 0 && ok;
}

/* The first slot whose token is initialized. */
static CK_RV first_token(CK_FUNCTION_LIST_PTR p11, CK_SLOT_ID *slot)
{
	CK_SLOT_ID slots[64];
	CK_ULONG n = 64, i;
	CK_TOKEN_INFO info;
	CK_RV rv;

	rv = p11->C_GetSlotList(CK_TRUE, slots, &n);
	if (rv != CKR_OK)
		return rv;
	for (i = 0; i < n; i++) {
		if (p11->C_GetTokenInfo(slots[i], &info) == CKR_OK &&
		    (info.flags & CKF_TOKEN_INITIALIZED)) {
			*slot = slots[i];
			printf("token in slot %lu: %.32s\n", (unsigned long)slots[i], info.label);
			return CKR_OK;
		}
	}
	return CKR_TOKEN_NOT_RECOGNIZED;
}

/* Makes a CSR for the key in the token, generating the key first if there
 * is none, and writes it to path. */
static int request(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, const char *path)
{
	iot_prov_labels labels = { LABEL, NULL };
	unsigned char *csr = NULL;
	size_t len = 0;
	CK_RV rv;
	int ok;

	rv = iot_prov_csr(p11, s, LABEL, SUBJECT, &csr, &len);
	if (rv == CKR_OBJECT_HANDLE_INVALID) {
		printf("%-44s %s\n", "no key \"" LABEL "\" yet", "generating one");
		rv = iot_prov_generate(p11, s, IOT_PROV_EC_P256, &labels, SUBJECT, &csr, &len);
		if (!step("generate EC P-256 key pair and CSR", rv))
			return 0;
	} else if (!step("CSR for the key already in the token", rv)) {
		return 0;
	}
	ok = write_file(path, csr, len);
	iot_prov_free(csr);
	if (!ok) {
		fprintf(stderr, "cannot write %s\n", path);
		return 0;
	}
	printf("CSR (DER, %zu bytes) written to %s: have the CA sign it, then run again with "
	       "the certificate\n",
	       len, path);
	return 1;
}

static int import(CK_FUNCTION_LIST_PTR p11, CK_SESSION_HANDLE s, const char *path)
{
	unsigned char *cert;
	size_t len = 0;
	CK_RV rv;

	cert = read_file(path, &len);
	if (cert == NULL) {
		fprintf(stderr, "cannot read %s\n", path);
		return 0;
	}
	rv = iot_prov_import_cert(p11, s, cert, len, NULL);
	free(cert);
	if (!step("import the certificate", rv))
		return 0;
	return step("check: provisioned", iot_prov_check(p11, s, LABEL));
}

int main(int argc, char **argv)
{
	CK_FUNCTION_LIST_PTR p11;
	CK_SESSION_HANDLE s = CK_INVALID_HANDLE;
	CK_SLOT_ID slot = 0;
	const char *pin = getenv("IOTOKEN_PIN");
	void *module = NULL;
	int ok = 0;
	CK_RV rv;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: %s <module.so> <csr-out.der> [certificate]\n", argv[0]);
		return 2;
	}
	if (pin == NULL) {
		fprintf(stderr, "set IOTOKEN_PIN to the user PIN of the token\n");
		return 2;
	}
	p11 = load(argv[1], &module);
	if (p11 == NULL)
		return 1;
	if (!step("C_Initialize", p11->C_Initialize(NULL)))
		goto unload;
	if (!step("find an initialized token", first_token(p11, &slot)))
		goto finalize;
	rv = p11->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s);
	if (!step("C_OpenSession (read/write)", rv))
		goto finalize;
	rv = p11->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin, (CK_ULONG)strlen(pin));
	if (!step("C_Login (user)", rv))
		goto finalize;
	rv = iot_prov_check(p11, s, LABEL);
	printf("%-44s %s\n", "check: provisioned as \"" LABEL "\"", iot_prov_rv_name(rv));
	if (rv == CKR_OK) {
		printf("device is provisioned\n");
		ok = 1;
	} else if (rv == CKR_OBJECT_HANDLE_INVALID) {
		ok = argc == 4 ? import(p11, s, argv[3]) : request(p11, s, argv[2]);
		if (ok && argc == 4)
			printf("device is provisioned\n");
	} else {
		fprintf(stderr,
			"the token's key and certificate do not match (%s): delete the "
			"certificate and provision again\n",
			iot_prov_rv_name(rv));
	}
	(void)p11->C_Logout(s);
finalize:
	(void)p11->C_Finalize(NULL);
unload:
	dlclose(module);
	return ok ? 0 : 1;
}
