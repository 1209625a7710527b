/*
 * The firmware stand-in that device/cross-build.sh links the token into:
 * it references what an application does (the function list and the port
 * setup), so that --gc-sections keeps exactly the token's reachable code
 * and the link lists every symbol the token needs from elsewhere.
 */
#include "iotoken/device.h"

int main(void);

int main(void)
{
	static iotoken_device dev;
	CK_FUNCTION_LIST_PTR list = 0;

	if (iotoken_device_setup(&dev) != CKR_OK)
		return 1;
	if (C_GetFunctionList(&list) != CKR_OK)
		return 1;
	return list->C_Initialize(0) == CKR_OK ? 0 : 1;
}
