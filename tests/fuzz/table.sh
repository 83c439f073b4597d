#!/bin/sh
# Copyright (c) 2026 The libjpki developers.
# SPDX-License-Identifier: BSD-2-Clause
#
# Summarise libFuzzer logs (tests/fuzz/run.sh libfuzzer) as a Markdown
# table: executions, execs/s, final edge coverage (cov) and features (ft),
# corpus size, findings (crash/leak/timeout artifacts of that harness).
#   table.sh BUILD NAME...
set -u
build=$1
shift
printf '| harness | executions | exec/s | seconds | cov | ft | corpus | findings |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---|\n'
for name in "$@"; do
	log=$build/fuzz-$name.log
	[ -f "$log" ] || { printf '| %s | (no log) |||||||\n' "$name"; continue; }
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
	last=$(grep -E '^#[0-9]+' "$log" | grep ' cov: ' | tail -n 1)
	cov=$(printf '%s\n' "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(printf '%s\n' "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	corp=$(printf '%s\n' "$last" | sed -n 's/.* corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p')
	rate=-
	if [ -n "${execs:-}" ] && [ -n "${secs:-}" ] && [ "$secs" -gt 0 ]; then
		rate=$((execs / secs))
	fi
	found=$(ls "$build/artifacts" 2>/dev/null | grep -c "^$name-" || true)
	if [ "$found" -eq 0 ]; then found=none; else found="$found artifact(s)"; fi
	printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$name" \
		"${execs:-?}" "$rate" "${secs:-?}" "${cov:-?}" "${ft:-?}" \
		"${corp:-?}" "$found"
done
