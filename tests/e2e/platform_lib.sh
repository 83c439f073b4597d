# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Helpers for the platform e2e suite and the demo: a real mykey-mock
# (SQLite, plain http on loopback inside the test's network namespace), the
# issuing authority's CLI, and `jpki platform` with the test client.
# Source after tests/lib/harness.sh and h_init.
#
#   p_mock_start / p_mock_stop          server on 127.0.0.1:$P_PORT
#   p_mm ARGS...                        mykey-mock CLI on the same database
#   p_client                            creates the client, sets P_ID
#   p_person NAME                       prints a person id
#   p_card_issue PERSON DIR             JSON of the new card (profile in DIR)
#   p_consent FILE [PURPOSE]            a consent record the holder "gave"
#   p_plat CMD [ARGS...]                jpki platform CMD with url/client
#   p_json KEY < json                   a top-level string/number/bool
#   p_admin PATH [CURL ARGS...]         the admin API (own listener, token)

P_PORT=${P_PORT:-18443}
P_URL=http://127.0.0.1:$P_PORT

p_mm() {
	"$H_BIN/mykey-mock" "$@" --db "$H_DIR/mock.db" \
		--ca-dir "$H_DIR/mock-ca" --profiles-dir "$H_DIR/profiles"
}

p_admin() {
	_p=$1; shift
	curl -s -H "Authorization: Bearer $(cat "$H_DIR/mock.db.admin-token")" \
		"$@" "$(cat "$H_DIR/mock.db.admin-url")$_p"
}

p_mock_start() {
	"$H_BIN/mykey-mock" serve --db "$H_DIR/mock.db" \
		--ca-dir "$H_DIR/mock-ca" --profiles-dir "$H_DIR/profiles" \
		--bind 127.0.0.1 --port "$P_PORT" --plain-http \
		--log "$H_DIR/mock.log" >> "$H_DIR/mock.out" 2>&1 &
	P_MOCK_PID=$!
	H_PIDS="$H_PIDS $P_MOCK_PID"
	i=0
	while ! curl -s -o /dev/null "$P_URL/v1/token" && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
	curl -s -o /dev/null "$P_URL/v1/token" || {
		echo "mykey-mock did not start" >&2
		cat "$H_DIR/mock.out" >&2
		return 1
	}
}

p_mock_stop() {
	[ -n "${P_MOCK_PID:-}" ] || return 0
	kill -TERM "$P_MOCK_PID" 2>/dev/null || true
	wait "$P_MOCK_PID" 2>/dev/null || true
	P_MOCK_PID=""
}

p_json() {
	# tiny extractor for flat keys of our own compact JSON output
	sed -n "s/.*\"$1\":\(\"[^\"]*\"\|[a-z0-9-]*\).*/\1/p" | tr -d '"' |
		head -n 1
}

p_client() {
	out=$(p_mm client add --kind municipality \
		--scopes "mykey services issuance:read" --json) || return 1
	P_ID=$(echo "$out" | p_json client_id)
	JPKI_PLATFORM_CLIENT_SECRET=$(echo "$out" | p_json client_secret)
	export JPKI_PLATFORM_CLIENT_SECRET
	[ -n "$P_ID" ] && [ -n "$JPKI_PLATFORM_CLIENT_SECRET" ]
}

p_person() {
	p_mm person add --name "$1" --birth 19900101 --sex 9 \
		--address "東京都千代田区霞が関1-1-1 (synthetic)" | p_json person_id
}

p_card_issue() {
	p_mm card issue --person "$1" --out "$2"
}

p_consent() {
	purpose=${2:-jlis.validity jlis.linkage}
	printf '{"consent_id":"%s","purpose":"%s","terms_version":"mock-1","agreed_at":"%s"}\n' \
		"$(cat /proc/sys/kernel/random/uuid)" "$purpose" \
		"$(date +%Y-%m-%dT%H:%M:%S%:z)" > "$1"
}

# PINs of a synthetic profile go through the environment, never argv.
p_pins() {
	JPKI_TEST_PIN=$(sed -n 's/^pin.auth *= *//p' "$1/profile.conf")
	JPKI_TEST_SIGN_PIN=$(sed -n 's/^pin.sign *= *//p' "$1/profile.conf")
	export JPKI_TEST_PIN JPKI_TEST_SIGN_PIN
}

p_plat() {
	cmd=$1; shift
	"$H_BIN/jpki" platform "$cmd" --url "$P_URL" --allow-http \
		--client-id "$P_ID" --pin-env JPKI_TEST_PIN \
		--sign-pin-env JPKI_TEST_SIGN_PIN "$@"
}
