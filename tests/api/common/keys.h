/*
 * Key and certificate material for the API tests, and template builders for
 * each object class. The material is real (an RSA-2048 key, a P-256 key and a
 * self-signed certificate for it, made with openssl), so the tests stay valid
 * once the module checks key material.
 */
#ifndef IOTOKEN_TEST_KEYS_H
#define IOTOKEN_TEST_KEYS_H

#include "harness.h"

extern const unsigned char k_p256_oid[10];
extern const unsigned char k_ec_point[67];
extern const unsigned char k_ec_private_value[32];
extern const unsigned char k_rsa_modulus[256];
extern const unsigned char k_rsa_public_exponent[3];
extern const unsigned char k_rsa_private_exponent[255];
extern const unsigned char k_rsa_prime1[128];
extern const unsigned char k_rsa_prime2[128];
extern const unsigned char k_rsa_exponent1[128];
extern const unsigned char k_rsa_exponent2[128];
extern const unsigned char k_rsa_coefficient[128];
extern const unsigned char k_cert_der[400];
extern const unsigned char k_cert_subject[29];

/* Each adds the class, the key/certificate type and the required attributes;
 * callers add the rest (CKA_TOKEN, CKA_LABEL, ...). */
void k_data(h_tmpl *t, const char *label);
void k_cert(h_tmpl *t);
void k_ec_public(h_tmpl *t);
void k_ec_private(h_tmpl *t);
void k_rsa_public(h_tmpl *t);
/* With crt, also the public exponent and the CRT parts. */
void k_rsa_private(h_tmpl *t, int crt);
/* A secret key of this type with a len-byte value (bytes 0x40, 0x41, ...). */
void k_secret(h_tmpl *t, CK_KEY_TYPE type, CK_ULONG len);
/* The value k_secret uses. */
void k_secret_value(unsigned char *out, CK_ULONG len);

#endif
