/* Shared checks of the cryptographic entry points (see ops.h). */
#include "api/ops.h"
#include "core/mech.h"

CK_RV ops_init(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key, int uses_key,
	       CK_FLAGS usage)
{
	const mech_row *row;
	object *obj;
	session *s;
	CK_RV rv = api_enter_session(h, &s);

	if (rv != CKR_OK)
		return rv;
	if (mech == NULL) {
		rv = CKR_ARGUMENTS_BAD;
		goto out;
	}
	if (uses_key && session_object(s, key, &obj) != CKR_OK) {
		rv = CKR_KEY_HANDLE_INVALID;
		goto out;
	}
	row = mech_find(mech->mechanism);
	if (row == NULL || !(row->flags & usage)) {
		rv = CKR_MECHANISM_INVALID;
		goto out;
	}
	/* A mechanism in the table without an implementation here would be
	 * a table error: refuse rather than pretend. */
	rv = CKR_MECHANISM_INVALID;
out:
	api_leave();
	return rv;
}

CK_RV ops_continue(CK_SESSION_HANDLE h)
{
	session *s;
	CK_RV rv = api_enter_session(h, &s);

	if (rv != CKR_OK)
		return rv;
	api_leave();
	return CKR_OPERATION_NOT_INITIALIZED;
}

CK_RV api_enter_checked_args(CK_SESSION_HANDLE h)
{
	session *s;
	CK_RV rv = api_enter_session(h, &s);

	if (rv != CKR_OK)
		return rv;
	api_leave();
	return CKR_ARGUMENTS_BAD;
}
