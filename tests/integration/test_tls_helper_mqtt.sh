#!/bin/bash
# The TLS helper (tls/, include/iotoken/tls.h) against an MQTT broker: iotoken-connect
# --mqtt sends an MQTT 3.1.1 CONNECT over TLS to a local mosquitto (Debian mosquitto
# 2.0) that requires a client certificate from the test CA (require_certificate) and
# takes the certificate's CN as the user name (use_identity_as_username; anonymous
# clients are not allowed, so a CONNACK 0 means the broker took the identity from
# the certificate). EC P-256 and RSA-2048 keys in the token: exit 0, "CONNACK:
# return code 0 (accepted)", and the broker's log names the client with the user name
# of its certificate and shows the clean DISCONNECT. Without a client key the broker
# refuses the handshake (IOT_TLS_ERR_HANDSHAKE, and its log says the peer returned no
# certificate), and so it does for mosquitto_pub without a certificate (control).
# Token, CA and certificates: tls_lib.sh's tls_setup.
#
# Environment: IOTOKEN_MODULE, IOTOKEN_CONNECT (set by ctest), MOSQUITTO (default
# /usr/sbin/mosquitto); see lib.sh/tls_lib.sh.
set -euo pipefail

# shellcheck source=tests/integration/tls_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/tls_lib.sh"

MOSQUITTO=${MOSQUITTO:-/usr/sbin/mosquitto}
[ -x "$MOSQUITTO" ] || {
	echo "FAIL: $MOSQUITTO (Debian package mosquitto) not found"
	exit 1
}
_tls_need mosquitto_pub mosquitto-clients
_tls_need python3 python3

tls_begin tls_helper_mqtt "iotoken-connect --mqtt (TLS helper) to mosquitto"
[ -x "${IOTOKEN_CONNECT:-}" ] || fail "IOTOKEN_CONNECT (the built iotoken-connect) is not set"

MQ_PID=
MQ_PORT=
MQ_LOG=
MQ_MARK=0

mq_stop()
{
	if [ -n "$MQ_PID" ]; then
		kill "$MQ_PID" 2>/dev/null || true
		wait "$MQ_PID" 2>/dev/null || true
		MQ_PID=
	fi
}
trap 'mq_stop; _tls_cleanup' EXIT

tls_setup
D=$TLS_DIR

# The example is built with the module's flags (instrumented in a sanitizer build): it
# runs without lib.sh's preload for uninstrumented clients, and with leak detection.
connect_cmd()
{
	TLS_CMD=(env -u LD_PRELOAD "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1"
		"$IOTOKEN_CONNECT" --module "$IOTOKEN_MODULE" "$@")
}

free_port()
{
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# mq_fail <what>: fails with the last command, its output and the broker's log.
mq_fail()
{
	if [ -n "$MQ_LOG" ] && [ -f "$MQ_LOG" ]; then
		{
			echo "--- mosquitto log ($MQ_LOG):"
			cat "$MQ_LOG"
			echo
		} >&2
	fi
	tls_fail "$1"
}

# mosquitto on 127.0.0.1 and a free port, in the foreground (bounded by timeout), with
# a scratch configuration: TLS with the test CA's server certificate, a client
# certificate required, its CN as the user name, no anonymous clients, no
# persistence, everything logged to $MQ_LOG. Run as root it would drop to the user
# "mosquitto", who cannot read the scratch directory: `user` keeps the current one.
# The port is found free just before; should another process take it in between,
# mosquitto exits and the next attempt takes another port.
mq_start()
{
	local conf=$D/mosquitto.conf attempt i
	for attempt in 1 2 3; do
		MQ_PORT=$(free_port)
		MQ_LOG=$D/mosquitto.$attempt.log
		: >"$MQ_LOG"
		cat >"$conf" <<EOF
# written by tests/integration/test_tls_helper_mqtt.sh
per_listener_settings false
user $(id -un)
persistence false
log_dest file $MQ_LOG
log_type all
connection_messages true
allow_anonymous false
listener $MQ_PORT 127.0.0.1
cafile $D/ca.pem
certfile $D/server.pem
keyfile $D/server.key
require_certificate true
use_identity_as_username true
EOF
		echo "\$ $MOSQUITTO -c $conf   # port $MQ_PORT"
		timeout 120 "$MOSQUITTO" -c "$conf" </dev/null >"$D/mosquitto.$attempt.out" 2>&1 &
		MQ_PID=$!
		for ((i = 0; i < 100; i++)); do
			if grep -q "Opening ipv4 listen socket on port $MQ_PORT\\." "$MQ_LOG" &&
				grep -q 'mosquitto version .* running' "$MQ_LOG"; then
				MQ_MARK=0
				return 0
			fi
			kill -0 "$MQ_PID" 2>/dev/null || break
			sleep 0.1
		done
		echo "# mosquitto did not start on port $MQ_PORT (attempt $attempt):"
		cat "$MQ_LOG" "$D/mosquitto.$attempt.out" || true
		mq_stop
	done
	mq_fail "mosquitto did not start listening"
}

# mq_mark: the broker log lines written from now on are the next case's.
mq_mark()
{
	MQ_MARK=$(wc -l <"$MQ_LOG")
}

# mq_log_has <ere>: a log line since the mark matches (waits up to 5 s for the
# broker to write it).
mq_log_has()
{
	local i
	for ((i = 0; i < 50; i++)); do
		if tail -n "+$((MQ_MARK + 1))" "$MQ_LOG" | grep -qE -- "$1"; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# mq_log_now <ere>: like mq_log_has, without waiting (for what must not be there,
# checked after what must be, so the broker has written the case's lines).
mq_log_now()
{
	tail -n "+$((MQ_MARK + 1))" "$MQ_LOG" | grep -qE -- "$1"
}

# mq_log_since: the log lines since the mark, indented (for the test's output).
mq_log_since()
{
	echo "# mosquitto log:"
	tail -n "+$((MQ_MARK + 1))" "$MQ_LOG" | sed 's/^/#   /'
}

mq_start
pass "mosquitto $(sed -n 's/^.*mosquitto version \([^ ]*\) running$/\1/p' "$MQ_LOG") listening on 127.0.0.1:$MQ_PORT (TLS, require_certificate, use_identity_as_username, no anonymous)"

# --- the token's keys ----------------------------------------------------------------
for key in ec rsa; do
	cid="iotoken-mqtt-$key"
	mq_mark
	connect_cmd --token "$TLS_TOKEN" --pin "$TLS_PIN" --key "client-$key" --ca "$D/ca.pem" \
		--servername localhost --timeout 10000 --mqtt "$cid" "127.0.0.1:$MQ_PORT"
	client "${TLS_CMD[@]}" || mq_fail "$key key: iotoken-connect --mqtt exited non-zero"
	it_has "^connected to 127\\.0\\.0\\.1:$MQ_PORT: TLSv1\\.2, TLS-ECDHE-" ||
		mq_fail "$key key: no 'connected' line naming TLSv1.2 and an ECDHE suite"
	it_has '^CONNACK: return code 0 \(accepted\)$' ||
		mq_fail "$key key: no 'CONNACK: return code 0 (accepted)'"
	# mosquitto 2.0.11: "New client connected from 127.0.0.1:<port> as <client id>
	# (p2, c1, k60, u'<user name>')." p2: MQTT 3.1.1, c1: clean session, k60: keep
	# alive; the user name is the certificate's CN (use_identity_as_username).
	mq_log_has "New client connected from 127\\.0\\.0\\.1:[0-9]+ as $cid \\(p2, c1, k60, u'client-$key'\\)" ||
		mq_fail "$key key: the broker did not log client $cid connected with user name client-$key"
	mq_log_has "Sending CONNACK to $cid \\(0, 0\\)" || mq_fail "$key key: the broker did not log CONNACK 0"
	mq_log_has "Received DISCONNECT from $cid" ||
		mq_fail "$key key: the broker did not see the client's DISCONNECT"
	if mq_log_now 'OpenSSL Error|Protocol error|Socket error'; then
		mq_fail "$key key: the broker logged an error"
	fi
	mq_log_since
	pass "$key key: CONNACK 0 from mosquitto, which logged client $cid with user name client-$key (the certificate's CN)"
done

# --- no client certificate -----------------------------------------------------------
mq_mark
connect_cmd --ca "$D/ca.pem" --servername localhost --timeout 10000 --mqtt iotoken-mqtt-anon \
	"127.0.0.1:$MQ_PORT"
rc=0
client "${TLS_CMD[@]}" || rc=$?
[ "$rc" -eq 1 ] || mq_fail "no client key: exit status $rc, expected 1"
# mbedTLS 2.28 writes the client's flight one message at a time; mosquitto closes the
# connection as soon as it has read the empty Certificate, so the helper's next write
# (ChangeCipherSpec) fails with EPIPE before it reads the broker's alert. The helper
# reports that as the handshake failing (IOT_TLS_ERR_HANDSHAKE, "the server closed the
# connection during the handshake"), like the alert s_server sends.
it_has '^iotoken-connect: IOT_TLS_ERR_HANDSHAKE: the server (ended the handshake with an alert|closed the connection during the handshake).*; it may require a client certificate$' ||
	mq_fail "no client key: no IOT_TLS_ERR_HANDSHAKE error line with the client-certificate hint"
if it_has '^CONNACK'; then
	mq_fail "no client key: a CONNACK came back"
fi
mq_log_has 'OpenSSL Error\[[0-9]+\]: .*peer did not return a certificate' ||
	mq_fail "no client key: the broker did not log that the peer returned no certificate"
if mq_log_now 'New client connected'; then
	mq_fail "no client key: the broker logged a connected client"
fi
mq_log_since
pass "no client key: refused in the handshake ($(sed -n 's/^iotoken-connect: //p' "$IT_OUT")); mosquitto: peer did not return a certificate"

# Control: mosquitto's own client without a certificate is refused the same way.
mq_mark
TLS_CMD=(mosquitto_pub -h 127.0.0.1 -p "$MQ_PORT" --cafile "$D/ca.pem" -i iotoken-mqtt-pub
	-t iotoken/test -m hello)
if _tls_ossl "${TLS_CMD[@]}"; then
	mq_fail "control: mosquitto_pub without a certificate succeeded"
fi
mq_log_has 'OpenSSL Error\[[0-9]+\]: .*peer did not return a certificate' ||
	mq_fail "control: the broker did not log that mosquitto_pub returned no certificate"
if mq_log_now 'New client connected'; then
	mq_fail "control: the broker logged a connected client"
fi
mq_log_since
pass "control: mosquitto_pub without a certificate is refused (peer did not return a certificate)"

TLS_CMD=()
mq_stop
it_end
