#!/bin/bash
# Installs what iotoken needs to build and test, from Debian 12's archive.
# Does nothing when everything is there already. Needs root (or sudo) to install.
set -euo pipefail

PACKAGES=(
	build-essential cmake pkg-config
	clang libclang-rt-14-dev # sanitizer runtimes: only Recommended by clang, so explicit
	clang-format
	libp11-kit-dev libssl-dev libsqlite3-dev sqlite3 libcmocka-dev
	libjson-c-dev python3-cryptography-vectors # Wycheproof JSON reader; NIST CAVP vectors
	opensc p11-kit openssl python3
	gnutls-bin # p11tool (tests/integration/test_p11kit.sh)
	# TLS client authentication, tests/integration/test_tls_*.sh: the OpenSSL pkcs11 engine,
	# NSS certutil/modutil/tstclnt, OpenSC's pkcs11-spy (gnutls-bin: certtool, gnutls-cli)
	libengine-pkcs11-openssl libnss3-tools opensc-pkcs11
	python3-pykcs11 python3-cryptography # tests/integration/test_python.sh
	golang-go golang-github-thalesignite-crypto11-dev # tests/integration/test_go.sh (GOPATH mode)
	gnuplot-nox # bench/plot.sh: the benchmark chart
	softhsm2 # tests/integration/test_cli_softhsm.sh (gnutls-bin: also test_cli.sh)
	libmbedtls-dev # the TLS helper (tls/, IOTOKEN_TLS), iotoken-connect; -DIOTOKEN_CRYPTO=mbedtls
	mosquitto mosquitto-clients # tests/integration/test_tls_helper_mqtt.sh (broker, mosquitto_pub)
	valgrind # tests/integration/test_tls_helper_valgrind.sh; tests/valgrind/run.sh, ctgrind
	gcc-arm-none-eabi libnewlib-arm-none-eabi # device/cross-build.sh (Cortex-M4 sizes)
	frama-c-base # verify/run.sh: EVA memory-safety proofs (SECURITY.md row 36)
)

missing=()
for p in "${PACKAGES[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
[ "${#missing[@]}" -eq 0 ] && exit 0

SUDO=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || {
		echo "deps: not root and no sudo; install: ${missing[*]}" >&2
		exit 1
	}
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
echo "deps: installing ${missing[*]}"
for attempt in 1 2 3; do
	if $SUDO apt-get update -q; then
		break
	fi
	[ "$attempt" -eq 3 ] && exit 1
	echo "apt-get update failed (attempt $attempt), retrying in 10s"
	sleep 10
done
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null
