#!/bin/bash
# The module exports the PKCS#11 entry points and nothing else: the 68 functions of
# the v2.40 CK_FUNCTION_LIST plus the 24 functions PKCS#11 3.0 adds (C_GetInterfaceList,
# C_GetInterface, C_LoginUser, C_SessionCancel and the 20 message-based functions).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_begin exports

defined=$(nm -D --defined-only "$IOTOKEN_MODULE" | awk '{print $3}' | sort)
others=$(grep -v '^C_' <<<"$defined" || true)
[ -z "$others" ] || fail "symbols other than C_* exported: $(echo $others)"
pass "only C_* symbols are exported"

count=$(grep -c '^C_' <<<"$defined")
[ "$count" -eq 92 ] || fail "expected 92 C_* symbols, found $count"
pass "92 entry points exported"

for f in C_GetFunctionList C_GetInterfaceList C_GetInterface C_LoginUser C_SessionCancel \
	C_MessageEncryptInit C_MessageVerifyFinal C_Initialize C_Finalize \
	C_WaitForSlotEvent C_CancelFunction C_GetFunctionStatus; do
	grep -qx "$f" <<<"$defined" || fail "$f not exported"
done
pass "C_GetFunctionList, C_GetInterface(List) and the rest are exported"

# The header's function list names every function the module must define.
header=$(pkg-config --variable=includedir p11-kit-1)/p11-kit-1/p11-kit/pkcs11.h
[ -f "$header" ] || header=/usr/include/p11-kit-1/p11-kit/pkcs11.h
listed=$(sed -n '/^struct ck_function_list$/,/^};/p' "$header" | grep -o 'C_[A-Za-z]*' | sort -u)
[ "$(wc -l <<<"$listed")" -eq 68 ] || fail "could not read the 68 entries from $header"
missing=$(comm -23 <(echo "$listed") <(echo "$defined"))
[ -z "$missing" ] || fail "entries of CK_FUNCTION_LIST not exported: $missing"
pass "every CK_FUNCTION_LIST entry of the v2.40 header is exported"

it_end
