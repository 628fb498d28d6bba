# cli_lib.sh - tiny TAP-style helpers for CLI tests (sourced).
# Each check prints "ok N - name" or "not ok N - name" plus details;
# tests/run.sh counts those lines.  A script ends with done_testing, which
# prints the TAP plan "1..N": run.sh fails a script whose plan is missing
# or disagrees with its checks (it died half way and lost the rest).
EVOJAX=${EVOJAX:-./evojax}
T=$(mktemp -d "${TMPDIR:-/tmp}/evojax-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT
n=0

pass() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "#   $l"; done; }

# expect NAME RC PATTERN -- CMD...: CMD exits with RC and its stderr
# contains the fixed string PATTERN (empty: not checked).
expect() {
	name=$1 want=$2 pat=$3
	shift 4
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "$name" "exit code $rc, want $want" "stderr: $(head -c 600 "$T/err")"
	elif [ -n "$pat" ] && ! grep -qF -- "$pat" "$T/err"; then
		fail "$name" "stderr lacks: $pat" "stderr: $(head -c 600 "$T/err")"
	else
		pass "$name"
	fi
}

# same NAME DIR1 DIR2 FILE...: each FILE is byte-identical in both
# directories (a failure shows the first lines of the difference and
# DIR2.err, the stderr of the run that wrote DIR2, if there is one).
same() {
	name=$1 a=$2 b=$3
	shift 3
	for f in "$@"; do
		if ! cmp -s "$a/$f" "$b/$f"; then
			fail "$name" "$a/$f and $b/$f differ" \
				"$(diff "$a/$f" "$b/$f" 2>&1 | head -4)" \
				"$(head -c 600 "$b.err" 2>/dev/null)"
			return
		fi
	done
	pass "$name"
}

# The plan line, last thing a script prints.
done_testing() { echo "1..$n"; }
