/*
 * The PKCS#11 definitions iotoken uses: Debian's <p11-kit/pkcs11.h> (v2.40)
 * plus the few PKCS#11 3.0 definitions it lacks (CK_INTERFACE,
 * C_GetInterfaceList, C_GetInterface). This is the only place they live.
 */
#ifndef IOTOKEN_PKCS11_H
#define IOTOKEN_PKCS11_H

#include <p11-kit/pkcs11.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef CKF_INTERFACE_FORK_SAFE
/* PKCS#11 3.0, section 3.6 "Interfaces". */
typedef struct CK_INTERFACE {
	CK_CHAR *pInterfaceName;
	CK_VOID_PTR pFunctionList;
	CK_FLAGS flags;
} CK_INTERFACE;
typedef CK_INTERFACE *CK_INTERFACE_PTR;
typedef CK_INTERFACE_PTR *CK_INTERFACE_PTR_PTR;

#define CKF_INTERFACE_FORK_SAFE 0x00000001UL
#endif

CK_RV C_GetInterfaceList(CK_INTERFACE_PTR pInterfacesList, CK_ULONG_PTR pulCount);
CK_RV C_GetInterface(CK_UTF8CHAR_PTR pInterfaceName, CK_VERSION_PTR pVersion,
		     CK_INTERFACE_PTR_PTR ppInterface, CK_FLAGS flags);

#ifdef __cplusplus
}
#endif

#endif
