# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Shared by tests/e2e/p11_ssh.sh and p11_ssh_bench.sh (sourced, after
# harness.sh; needs D, PORT, PIN and $D/id_jpki.pub, the card's key):
#
#   ssh_setup   sshd on 127.0.0.1:$PORT (own host key and sshd_config,
#               authorized_keys = $D/id_jpki.pub), the client's
#               $D/ssh_config (Host jpki-test), and an askpass program that
#               prints the PIN from $D/pin and logs each call to
#               $D/askpass.log; exports SSH_ASKPASS, SSH_ASKPASS_REQUIRE.

SSHD=${SSHD:-/usr/sbin/sshd}

ssh_setup() {
	mkdir -p /run/sshd	# privilege separation directory, sshd insists
	mount -t tmpfs -o mode=0755 tmpfs /run/sshd
	ssh-keygen -q -t ed25519 -N '' -f "$D/hostkey" -C jpki-test-host
	cp "$D/id_jpki.pub" "$D/authorized_keys"
	cat > "$D/sshd_config" <<-EOC
	ListenAddress 127.0.0.1
	Port $PORT
	HostKey $D/hostkey
	PidFile $D/sshd.pid
	AuthorizedKeysFile $D/authorized_keys
	PubkeyAuthentication yes
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	UsePAM no
	StrictModes no
	PermitRootLogin prohibit-password
	LogLevel VERBOSE
	EOC
	$SSHD -D -e -f "$D/sshd_config" > "$D/sshd.log" 2>&1 &
	H_PIDS="$H_PIDS $!"
	i=0
	while ! ss -ltn | grep -q "127.0.0.1:$PORT " && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
	echo "[127.0.0.1]:$PORT $(cut -d' ' -f1,2 "$D/hostkey.pub")" > "$D/known_hosts"
	# the client: only the card's auth key (IdentitiesOnly + IdentityFile whose
	# .pub is the card's key, as README.md recommends), no password, no user
	# files
	cat > "$D/ssh_config" <<-EOC
	Host jpki-test
		HostName 127.0.0.1
		Port $PORT
		User $(id -un)
		UserKnownHostsFile $D/known_hosts
		GlobalKnownHostsFile /dev/null
		StrictHostKeyChecking yes
		PreferredAuthentications publickey
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		IdentitiesOnly yes
		IdentityFile $D/id_jpki
		ConnectTimeout 20
	EOC

	# askpass: the PIN from a file (never argv); each call is logged
	cat > "$D/askpass" <<-EOA
	#!/bin/sh
	echo "\$1" >> "$D/askpass.log"
	cat "$D/pin"
	EOA
	chmod 0755 "$D/askpass"
	export SSH_ASKPASS="$D/askpass" SSH_ASKPASS_REQUIRE=force
	unset SSH_AUTH_SOCK DISPLAY
	printf '%s\n' $PIN > "$D/pin"
	: > "$D/askpass.log"
}
