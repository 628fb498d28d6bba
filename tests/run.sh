#!/bin/sh
# Run every test binary in $1 and every CLI test script tests/cli_*.sh,
# then print one closing line "N passed, N failed".
dir=${1:-build/tests}
passed=0
failed=0
skipped=0
failed_names=
for t in "$dir"/test_*; do
	[ -x "$t" ] || continue
	case "$t" in *.d) continue ;; esac
	out=$("$t" 2>&1)
	rc=$?
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | sed -n 's/^\[  PASSED  \] \([0-9]*\) test(s)\./\1/p' | awk '{s+=$1} END {print s+0}')
	f=$(printf '%s\n' "$out" | sed -n 's/^\[  FAILED  \] \([0-9]*\) test(s), listed below:/\1/p' | awk '{s+=$1} END {print s+0}')
	k=$(printf '%s\n' "$out" | sed -n 's/^\[  SKIPPED \] \([0-9]*\) test(s)[.,].*/\1/p' | awk '{s+=$1} END {print s+0}')
	skipped=$((skipped + k))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1   # crashed or exited non-zero without a cmocka summary
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" -ne 0 ] && failed_names="$failed_names $(basename "$t")"
done
for t in tests/cli_*.sh; do
	[ -f "$t" ] || continue
	case "$t" in */cli_lib.sh) continue ;; esac
	out=$(sh "$t" 2>&1)
	printf '%s\n' "$out"
	p=$(printf '%s\n' "$out" | grep -c '^ok ')
	f=$(printf '%s\n' "$out" | grep -c '^not ok ')
	k=$(printf '%s\n' "$out" | grep -c '^ok .*# SKIP')
	plan=$(printf '%s\n' "$out" | sed -n 's/^1\.\.\([0-9]*\)$/\1/p' | tail -1)
	if [ -z "$plan" ] || [ "$plan" -ne $((p + f)) ]; then
		echo "not ok - $(basename "$t"): plan '1..${plan:-?}' but $((p + f)) checks ran (the script died half way?)"
		f=$((f + 1))
	fi
	p=$((p - k))
	skipped=$((skipped + k))
	passed=$((passed + p))
	failed=$((failed + f))
	[ "$f" -ne 0 ] && failed_names="$failed_names $(basename "$t")"
done
[ -n "$failed_names" ] && echo "failing:$failed_names"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
