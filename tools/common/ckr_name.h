/* Names of CK_RV codes (tools/common/ckr_name.c). */
#ifndef IOTOKEN_CKR_NAME_H
#define IOTOKEN_CKR_NAME_H

#include "iotoken/pkcs11.h"

/* "CKR_PIN_INCORRECT"; unknown codes as "CKR_0x..." in a per-thread buffer. */
const char *iot_ckr_name(CK_RV rv);

#endif
