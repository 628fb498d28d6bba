#!/bin/sh
# Training runs through the binary: run-directory files, reproducibility,
# evaluation of saved parameters, device errors, interrupts.
. tests/cli_lib.sh
C=configs/cartpole_easy.yaml

# --smoke writes every file of a run directory.
expect "smoke run exits 0" 0 "" -- $EVOJAX train $C --smoke --quiet --out "$T/a"
missing=
for f in config.yaml log.txt metrics.jsonl best.npz final.npz iter_2.npz checkpoint.npz summary.json; do
	[ -s "$T/a/$f" ] || missing="$missing $f"
done
if [ -z "$missing" ]; then pass "smoke run writes every file"; else fail "smoke run writes every file" "missing:$missing"; fi
# stdout carries the same JSON lines as metrics.jsonl (4 train + 2 test).
if cmp -s "$T/out" "$T/a/metrics.jsonl" && [ "$(grep -c '"kind": "train"' "$T/a/metrics.jsonl")" -eq 4 ] &&
	[ "$(grep -c '"kind": "test"' "$T/a/metrics.jsonl")" -eq 2 ]; then
	pass "stdout mirrors metrics.jsonl"
else
	fail "stdout mirrors metrics.jsonl" "$(head -c 300 "$T/out")"
fi
if [ ! -s "$T/err" ]; then pass "--quiet keeps stderr empty"; else fail "--quiet keeps stderr empty" "$(head -c 300 "$T/err")"; fi
if grep -q '^Iter=0, size=8, max=' "$T/a/log.txt" && grep -q '^\[TEST\] Iter=4, #tests=4, ' "$T/a/log.txt"; then
	pass "log.txt has EvoJAX-style lines"
else
	fail "log.txt has EvoJAX-style lines" "$(head -c 300 "$T/a/log.txt")"
fi
if grep -q '"iterations": 4,' "$T/a/summary.json" && grep -q '"pop_size": 8,' "$T/a/summary.json" &&
	grep -q '"param_count": 4609,' "$T/a/summary.json"; then
	pass "summary.json"
else
	fail "summary.json" "$(cat "$T/a/summary.json")"
fi
# The resolved config.yaml reproduces the run.
$EVOJAX validate "$T/a/config.yaml" >/dev/null 2>&1 && pass "config.yaml validates" || fail "config.yaml validates"

# numpy loads the parameter files (make deps installs python3-numpy; the
# python3 on PATH may be another one without it).
PY=python3
$PY -c 'import numpy' 2>/dev/null || PY=/usr/bin/python3
if $PY -c "
import numpy as np, sys
d = np.load('$T/a/best.npz')
assert d['params'].shape == (4609,) and d['params'].dtype == np.float32, d['params'].shape
assert d['obs_params'].shape == (11,), d['obs_params'].shape
assert np.isfinite(d['params']).all() and np.abs(d['params']).max() > 0
" 2>"$T/py"; then pass "numpy loads best.npz"; else fail "numpy loads best.npz" "$(cat "$T/py")"; fi

# Same config + seed: identical metrics; another seed: different metrics.
$EVOJAX train $C --smoke --quiet --out "$T/b" >/dev/null 2>&1
$EVOJAX train $C --smoke --quiet --seed 7 --out "$T/c" >/dev/null 2>&1
if cmp -s "$T/a/metrics.jsonl" "$T/b/metrics.jsonl"; then pass "same seed, identical metrics.jsonl"; else fail "same seed, identical metrics.jsonl"; fi
if cmp -s "$T/a/best.npz" "$T/b/best.npz"; then pass "same seed, identical best.npz"; else fail "same seed, identical best.npz"; fi
# (the other run must have run as long: a failed run also differs)
if [ "$(grep -c '"kind": "train"' "$T/c/metrics.jsonl")" -eq "$(grep -c '"kind": "train"' "$T/a/metrics.jsonl")" ] &&
	! cmp -s "$T/a/metrics.jsonl" "$T/c/metrics.jsonl"; then
	pass "other seed, other metrics"
else
	fail "other seed, other metrics"
fi

# --resume continues bit-exactly: 3 iterations + resume to 6 gives the
# same metrics, final parameters and checkpoint as 6 iterations at once.
$EVOJAX train $C --smoke --quiet --set trainer.max_iter=3 --out "$T/r1" >/dev/null 2>&1
expect "resume exits 0" 0 "" -- $EVOJAX train --resume "$T/r1" --quiet --set trainer.max_iter=6
$EVOJAX train $C --smoke --quiet --set trainer.max_iter=6 --out "$T/r2" >/dev/null 2>&1
if cmp -s "$T/r1/metrics.jsonl" "$T/r2/metrics.jsonl" && cmp -s "$T/r1/final.npz" "$T/r2/final.npz" &&
	cmp -s "$T/r1/checkpoint.npz" "$T/r2/checkpoint.npz"; then
	pass "resume is bit-exact"
else
	fail "resume is bit-exact" "$(diff "$T/r1/metrics.jsonl" "$T/r2/metrics.jsonl" | head -5)"
fi
# summary.json counts the whole run: the same env steps, and the wall time
# of both sessions (timing.json carries the first one's).
s1=$(grep '"env_steps":' "$T/r1/summary.json")
s2=$(grep '"env_steps":' "$T/r2/summary.json")
if [ -n "$s1" ] && [ "$s1" = "$s2" ] && [ -s "$T/r1/timing.json" ] &&
	grep -q '"iterations": 6' "$T/r1/summary.json"; then
	pass "summary.json totals across a resume"
else
	fail "summary.json totals across a resume" "$s1 vs $s2"
fi
head -c 300 "$T/r1/checkpoint.npz" >"$T/r3.npz"
mkdir -p "$T/r3" && cp "$T/r1/config.yaml" "$T/r3/" && mv "$T/r3.npz" "$T/r3/checkpoint.npz"
expect "resume from a corrupt checkpoint" 1 "cannot resume from '$T/r3/checkpoint.npz'" -- \
	$EVOJAX train --resume "$T/r3" --quiet
expect "resume and --out" 2 "--resume DIR writes into DIR" -- $EVOJAX train --resume "$T/r1" --out "$T/x"

# evojax test evaluates saved parameters; at iteration 0's episodes (a
# run's own tests are reproduced with --iter, below) only the shape of
# the answer and determinism are fixed.
expect "test saved params" 0 "" -- $EVOJAX test $C --smoke --params "$T/a/final.npz"
cp "$T/out" "$T/test1"
$EVOJAX test $C --smoke --params "$T/a/final.npz" >"$T/test2" 2>/dev/null
if grep -q '"kind": "test", .*"n": 4, "max": ' "$T/test1" && cmp -s "$T/test1" "$T/test2"; then
	pass "test output is one deterministic JSON line"
else
	fail "test output is one deterministic JSON line" "$(cat "$T/test1")"
fi
# --scores: every episode's return, whose statistics are the line's
# (recomputed in numpy: max and min exact, avg and std to 1e-6 relative;
# the line's are doubles over the float returns, printed to 9 digits).
$EVOJAX test $C --smoke --params "$T/a/final.npz" --scores >"$T/test4" 2>/dev/null
if d=$($PY -c "
import json, sys, numpy as np
a, b = (json.loads(open(f).read()) for f in sys.argv[1:3])
x = np.array(b['scores'], dtype=np.float64)
assert 'scores' not in a and len(x) == b['n'] == a['n'], 'count'
for k in ('n', 'max', 'avg', 'min', 'std'):
    assert a[k] == b[k], k
assert x.max() == b['max'] and x.min() == b['min'], 'max/min'
for k, v in (('avg', x.mean()), ('std', x.std())):
    assert abs(v - b[k]) <= 1e-6 * max(1.0, abs(v)), (k, v, b[k])
print(len(x))
" "$T/test1" "$T/test4" 2>&1); then
	pass "test --scores: $d episode returns, their max/avg/min/std are the line's"
else
	fail "test --scores: episode returns and the line's statistics" "$d" "$(cat "$T/test4")"
fi
expect "--scores belongs to test" 2 "unknown option '--scores'" -- $EVOJAX train $C --smoke --scores
# --iter N: the episodes of a run's test at iteration N, so a run's
# test lines are reproduced from its files, to the last printed digit:
# final.npz at max_iter (4 under --smoke) and iter_2.npz at 2.
$EVOJAX test "$T/a/config.yaml" --params "$T/a/final.npz" --iter 4 >"$T/ti4" 2>"$T/ti.err"
$EVOJAX test "$T/a/config.yaml" --params "$T/a/iter_2.npz" --iter 2 >"$T/ti2" 2>>"$T/ti.err"
if d=$($PY -c "
import json, sys
m = [json.loads(l) for l in open(sys.argv[1]) if '\"test\"' in l]
got = {json.load(open(f))['iter']: json.load(open(f)) for f in sys.argv[2:]}
assert sorted(got) == [2, 4] and [x['iter'] for x in m] == [2, 4], (m, got)
for x in m:
    for k in ('n', 'max', 'avg', 'min', 'std'):
        assert x[k] == got[x['iter']][k], (k, x, got[x['iter']])
print(m[1]['avg'])
" "$T/a/metrics.jsonl" "$T/ti4" "$T/ti2" 2>&1); then
	pass "test --iter reproduces the run's test lines (final score $d)"
else
	fail "test --iter reproduces the run's test lines" "$d" "$(cat "$T/ti.err")"
fi
# Paths are JSON strings: a config and a params file named with a quote
# and a backslash give summary.json and a test line that parse, with the
# names back as they were.
mkdir -p "$T/q\"d" && cp $C "$T/q\"d/c\\x.yaml"
$EVOJAX train "$T/q\"d/c\\x.yaml" --smoke --quiet --out "$T/q\"d/run" >/dev/null 2>"$T/q.err"
$EVOJAX test "$T/q\"d/c\\x.yaml" --smoke --params "$T/q\"d/run/final.npz" >"$T/q.out" 2>>"$T/q.err"
if d=$($PY -c "
import json, sys
d = sys.argv[1]
s = json.load(open(d + '/run/summary.json'))
t = json.loads(open(sys.argv[2]).read())
assert s['config'] == d + '/c\\\\x.yaml', s['config']
assert t['params'] == d + '/run/final.npz', t['params']
print('ok')
" "$T/q\"d" "$T/q.out" 2>&1); then
	pass "a path with a quote and a backslash: summary.json and the test line are valid JSON"
else
	fail "a path with a quote and a backslash: summary.json and the test line are valid JSON" "$d" "$(cat "$T/q.err")"
fi
expect "test --iter -1" 2 "--iter must be a whole number from 0 to 2147483647, got '-1'" -- \
	$EVOJAX test $C --smoke --params "$T/a/final.npz" --iter -1
# ... of the parameters given: zeros (written by numpy) score otherwise.
$PY -c "
import numpy as np
d = np.load('$T/a/final.npz')
np.savez('$T/zero.npz', params=np.zeros_like(d['params']), obs_params=d['obs_params'])
" && $EVOJAX test $C --smoke --params "$T/zero.npz" >"$T/test3" 2>/dev/null
if grep -q '"kind": "test", .*"n": 4, "max": ' "$T/test3" && ! cmp -s "$T/test1" "$T/test3"; then
	pass "test scores the --params given (zeros score otherwise)"
else
	fail "test scores the --params given (zeros score otherwise)" "$(cat "$T/test1" "$T/test3")"
fi
head -c 100 "$T/a/final.npz" >"$T/trunc.npz"
expect "truncated npz" 1 "$T/trunc.npz" -- $EVOJAX test $C --smoke --params "$T/trunc.npz"
expect "missing npz" 1 "$T/none.npz" -- $EVOJAX test $C --smoke --params "$T/none.npz"
expect "params of another size" 1 "'params' has 4609 elements, expected 1281" -- \
	$EVOJAX test $C --smoke --set policy.hidden=[32,32] --params "$T/a/final.npz"

# Device errors: exit code 3 with a clear message.
expect "bad device spec" 3 "no OpenCL device matches 'no-such-gpu'" -- \
	$EVOJAX train $C --smoke --quiet --device no-such-gpu --out "$T/d"
expect "device index out of range" 3 "no OpenCL device with index '42'" -- \
	$EVOJAX train $C --smoke --quiet --device 42 --out "$T/d"
expect "no OpenCL platform" 3 "no OpenCL platform found" -- \
	env OCL_ICD_VENDORS="$T/no-vendors" OPENCL_VENDOR_PATH="$T/no-vendors" \
	$EVOJAX train $C --smoke --quiet --out "$T/d"
expect "devices lists PoCL" 0 "" -- $EVOJAX devices
if grep -q '^0 .*CPU.*Portable Computing Language' "$T/out"; then
	pass "devices prints the PoCL CPU device as index 0"
else
	fail "devices prints the PoCL CPU device as index 0" "$(cat "$T/out")"
fi

# SIGINT: checkpoint first, then exit 130.
$EVOJAX train $C --quiet --out "$T/i" >/dev/null 2>"$T/ierr" &
pid=$!
i=0
while [ ! -s "$T/i/metrics.jsonl" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
kill -INT $pid
wait $pid
rc=$?
if [ $rc -eq 130 ] && [ -s "$T/i/checkpoint.npz" ] && grep -q 'interrupted at iteration' "$T/ierr"; then
	pass "SIGINT writes a checkpoint and exits 130"
else
	fail "SIGINT writes a checkpoint and exits 130" "rc $rc" "$(cat "$T/ierr")"
fi

# Observation normalization (trainer.normalize_obs): EvoJAX's obs_params
# [count, mean (5), running sum of squared deviations (5)] reach the npz
# files (count = the environment steps seen), a resume is bit-exact, and
# evojax test applies them (other obs_params, other score).
NO="--quiet --set trainer.normalize_obs=true"
$EVOJAX train $C --smoke $NO --out "$T/no" >/dev/null 2>&1
$EVOJAX train $C --smoke $NO --set trainer.max_iter=2 --out "$T/no2" >/dev/null 2>&1
$EVOJAX train --resume "$T/no2" --quiet --set trainer.max_iter=4 >/dev/null 2>&1
if cmp -s "$T/no/metrics.jsonl" "$T/no2/metrics.jsonl" && cmp -s "$T/no/final.npz" "$T/no2/final.npz" &&
	cmp -s "$T/no/checkpoint.npz" "$T/no2/checkpoint.npz"; then
	pass "normalize_obs: resume is bit-exact"
else
	fail "normalize_obs: resume is bit-exact"
fi
steps=$(sed -n 's/.*"env_steps": \([0-9]*\),.*/\1/p' "$T/no/summary.json")
if $PY -c "
import numpy as np
p = np.load('$T/no/final.npz')['obs_params']
assert p.shape == (11,) and p.dtype == np.float32, p.shape
assert p[0] == float('$steps') and p[0] > 0, (p[0], '$steps')
assert (p[6:] > 0).all(), p[6:]
assert abs(p[3]) <= 1 and abs(p[4]) <= 1, p[3:5]   # mean cos, sin
q = np.load('$T/a/final.npz')['obs_params']
assert (q == 0).all(), q                           # not normalized: zeros
d = np.load('$T/no/final.npz')
o = d['obs_params'].copy(); o[1:6] += 1.0
np.savez('$T/no_shift.npz', params=d['params'], obs_params=o)
" 2>"$T/py"; then
	pass "normalize_obs: obs_params in final.npz (count = env steps $steps)"
else
	fail "normalize_obs: obs_params in final.npz" "$(cat "$T/py")"
fi
$EVOJAX test "$T/no/config.yaml" --params "$T/no/final.npz" >"$T/nt1" 2>/dev/null
$EVOJAX test "$T/no/config.yaml" --params "$T/no_shift.npz" >"$T/nt2" 2>/dev/null
if grep -q '"kind": "test"' "$T/nt1" && grep -q '"kind": "test"' "$T/nt2" && ! cmp -s "$T/nt1" "$T/nt2"; then
	pass "normalize_obs: evojax test applies the file's obs_params"
else
	fail "normalize_obs: evojax test applies the file's obs_params" "$(cat "$T/nt1" "$T/nt2")"
fi

# Crash safety: a run stopped by SIGINT, SIGTERM (both: checkpoint, exit
# 130) or kill -9 (no warning: the last periodic checkpoint) and resumed
# ends with the metrics and final parameters of an uninterrupted run.
K="--quiet --set algo.pop_size=32 --set trainer.max_iter=120 --set trainer.test_interval=10 --set trainer.log_interval=1 --set trainer.n_repeats=4 --set trainer.n_evaluations=4"
$EVOJAX train $C $K --out "$T/k0" >/dev/null 2>&1
for sig in INT TERM KILL; do
	$EVOJAX train $C $K --out "$T/k$sig" >/dev/null 2>&1 &
	pid=$!
	i=0
	while [ ! -s "$T/k$sig/checkpoint.npz" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
	sleep 0.2
	kill -$sig $pid
	wait $pid
	rc=$?
	want=130
	[ $sig = KILL ] && want=137
	done_at=$(grep -c '"kind": "train"' "$T/k$sig/metrics.jsonl")
	$EVOJAX train --resume "$T/k$sig" --quiet >/dev/null 2>"$T/kerr"
	rc2=$?
	if [ $rc -eq $want ] && [ "$done_at" -lt 120 ] && [ $rc2 -eq 0 ] &&
		cmp -s "$T/k0/metrics.jsonl" "$T/k$sig/metrics.jsonl" &&
		cmp -s "$T/k0/final.npz" "$T/k$sig/final.npz"; then
		pass "SIG$sig at iteration $done_at, resume: metrics and final.npz as uninterrupted"
	else
		fail "SIG$sig, resume: metrics and final.npz as uninterrupted" "stop rc $rc (want $want) after $done_at iterations, resume rc $rc2" "$(cat "$T/kerr")"
	fi
done

# Algorithm noise drawn on the device (device.noise: on) is deterministic too.
$EVOJAX train $C --smoke --quiet --set device.noise=on --out "$T/n1" >/dev/null 2>&1
$EVOJAX train $C --smoke --quiet --set device.noise=on --out "$T/n2" >/dev/null 2>&1
if [ -s "$T/n1/metrics.jsonl" ] && cmp -s "$T/n1/metrics.jsonl" "$T/n2/metrics.jsonl" &&
	grep -q 'noise drawn on the device' "$T/n1/log.txt" && ! grep -q 'noise drawn on the device' "$T/a/log.txt"; then
	pass "device noise: same seed, identical metrics"
else
	fail "device noise: same seed, identical metrics"
fi

# A kernel that does not compile: exit 3, the build log names the real
# file and line (EVOJAX_CL_DIR loads .cl files from disk).
mkdir -p "$T/cl"
cp -r core tasks policies opencl "$T/cl/"
line=$(grep -n 'VF sn = sin(th), c = cos(th);' tasks/cartpole.cl | cut -d: -f1)
sed -i 's/VF sn = sin(th), c = cos(th);/VF sn = sin(th), c = cos(th) +;/' "$T/cl/tasks/cartpole.cl"
expect "kernel build error names file:line" 3 "tasks/cartpole.cl:$line:" -- \
	env EVOJAX_CL_DIR="$T/cl" $EVOJAX train $C --smoke --quiet --out "$T/cl-run"

# On a terminal (script(1) gives one), stdout carries no JSON unless
# --json; the human log still shows; a pipe always gets the JSON lines.
if command -v script >/dev/null 2>&1; then
	script -qec "$EVOJAX train $C --smoke --out $T/tty1" /dev/null >"$T/tty1.out" 2>&1
	script -qec "$EVOJAX train $C --smoke --json --out $T/tty2" /dev/null >"$T/tty2.out" 2>&1
	$EVOJAX train $C --smoke --quiet --out "$T/tty3" >"$T/tty3.out" 2>/dev/null
	if ! grep -q '"kind"' "$T/tty1.out" && grep -q 'Iter=0' "$T/tty1.out" &&
		[ "$(grep -c '"kind"' "$T/tty2.out")" -eq 6 ] &&
		[ "$(grep -c '"kind"' "$T/tty3.out")" -eq 6 ] &&
		[ "$(wc -l < "$T/tty1/metrics.jsonl")" -eq 6 ]; then
		pass "terminal: human log only, JSON with --json or a pipe"
	else
		fail "terminal: human log only, JSON with --json or a pipe" "$(head -5 "$T/tty1.out")"
	fi
else
	fail "terminal: human log only, JSON with --json or a pipe" "script(1) missing (bsdutils)"
fi

# Defects of the hostile probe (issue 14): a resume below the iterations
# done, a new run into an existing run directory, NaN parameters.
$EVOJAX train $C --smoke --quiet --out "$T/h1" >/dev/null 2>&1
expect "resume below the iterations done is refused" 2 "the run has done 4 iterations, more than trainer.max_iter 2" -- \
	$EVOJAX train --resume "$T/h1" --set trainer.max_iter=2 --quiet
expect "a new run into a non-empty directory is refused" 2 "'$T/h1' exists and is not empty: continue that run with 'evojax train --resume $T/h1', or choose another --out" -- \
	$EVOJAX train $C --smoke --quiet --out "$T/h1"
PY=python3
python3 -c 'import numpy' 2>/dev/null || PY=/usr/bin/python3
$PY -c "
import numpy as np, sys
d = dict(np.load(sys.argv[1])); d['params'] = d['params'].copy(); d['params'][3] = np.inf
np.savez(sys.argv[2], **d)" "$T/h1/best.npz" "$T/inf.npz"
expect "test refuses non-finite parameters" 1 "'$T/inf.npz': 'params' element 3 is inf" -- \
	$EVOJAX test $C --params "$T/inf.npz"
# A NaN fitness writes the promised checkpoint of the last good state;
# a float beyond float32 is a config error, not a run of NaN parameters.
printf 'task: {name: function, fn: sphere, dim: 4}\nalgo: {name: snes, pop_size: 8, sigma_init: 1e30}\ntrainer: {max_iter: 5, test_interval: 2}\n' >"$T/nan.yaml"
expect "NaN fitness: exit 1, checkpoint of the last good state" 1 "at iteration 0; the last good state is checkpointed in '$T/nanrun/checkpoint.npz'" -- \
	$EVOJAX train "$T/nan.yaml" --quiet --out "$T/nanrun"
if [ -s "$T/nanrun/checkpoint.npz" ]; then pass "NaN fitness: the checkpoint exists"
else fail "NaN fitness: the checkpoint exists"; fi
expect "a float beyond float32 is refused" 2 "'init_stdev' must be a number within float32 range (|x| <= 3.402823e+38), got '1e300'" -- \
	$EVOJAX train $C --smoke --quiet --set algo.init_stdev=1e300 --out "$T/big"
done_testing
