#!/bin/sh
# A population split over several OpenCL devices (device.spec 'all',
# '0,1', device.weights): metrics.jsonl, final.npz and checkpoint.npz are
# byte-identical to one device for cartpole (normalized observations),
# the image task, seq2seq, MAP-Elites (descriptors) and PBT; bad device specs, weights and
# --resume of another config.  Two PoCL CPU devices: POCL_DEVICES.
. tests/cli_lib.sh
POCL_DEVICES=${POCL_DEVICES:-pthread pthread}
export POCL_DEVICES

# The PoCL devices: two of them, or the identity checks skip.
devs=$($EVOJAX devices | awk '$1 ~ /^[0-9]+$/ && /pthread/ { print $1 }' | head -2 | paste -sd, -)
case "$devs" in
*,*) two=yes ;;
*) two= ;;
esac
one=${devs%%,*}

# run NAME CONFIG DEVICE [ARGS...]: a run into $T/NAME.
run() {
	dir=$1 cfg=$2 dev=$3
	shift 3
	$EVOJAX train "$cfg" --quiet --out "$T/$dir" --device "$dev" "$@" >/dev/null 2>"$T/$dir.err" ||
		echo "run $dir failed: $(cat "$T/$dir.err")" >&2
}

cp tests/fixtures/scale_cartpole.yaml "$T/c.yaml"
cp tests/fixtures/scale_seq2seq.yaml "$T/s.yaml"
mnist="--set algo.pop_size=16 --set task.batch_size=128 --set trainer.max_iter=4 --set trainer.log_interval=1 --set trainer.test_interval=2 --set policy.hidden=[16]"
pbt="--set trainer.max_iter=6 --set pbt.workers=4 --set pbt.eval_interval=2 --set pbt.ready=2 --set algo.pop_size=8 --set task.max_steps=50 --set trainer.n_evaluations=4 --set trainer.normalize_obs=true"
files="metrics.jsonl final.npz best.npz checkpoint.npz"

if [ -n "$two" ]; then
	run c1 "$T/c.yaml" "$one"
	run c2 "$T/c.yaml" "$devs"
	run c13 "$T/c.yaml" "$devs" --set 'device.weights=[1, 3]'
	same "cartpole, normalize_obs: 2 devices = 1 device" "$T/c1" "$T/c2" $files
	same "cartpole, normalize_obs: weights 1:3 = 1 device" "$T/c1" "$T/c13" $files
	if grep -q 'split over 2 devices' "$T/c2/log.txt" && grep -q ' + ' "$T/c2/summary.json"; then
		pass "the banner and summary.json name both devices"
	else
		fail "the banner and summary.json name both devices" "$(head -1 "$T/c2/log.txt")"
	fi
	run m1 configs/fashion_mnist_mlp.yaml "$one" $mnist
	run m2 configs/fashion_mnist_mlp.yaml "$devs" $mnist --set 'device.weights=[3, 1]'
	same "image task (Fashion-MNIST, MLP): 2 devices = 1 device" "$T/m1" "$T/m2" $files
	run s1 "$T/s.yaml" "$one"
	run s2 "$T/s.yaml" "$devs"
	same "seq2seq: 2 devices = 1 device" "$T/s1" "$T/s2" $files
	run a1 tests/fixtures/scale_arm.yaml "$one"
	run a2 tests/fixtures/scale_arm.yaml "$devs" --set 'device.weights=[1, 3]'
	same "map_elites (behaviour descriptors): 2 devices, weights 1:3 = 1 device" "$T/a1" "$T/a2" \
		metrics.jsonl final.npz archive.npz checkpoint.npz
	run p1 configs/pbt/cartpole_pbt.yaml "$one" $pbt
	run p2 configs/pbt/cartpole_pbt.yaml "$devs" $pbt
	same "pbt (4 workers, normalize_obs): 2 devices = 1 device" "$T/p1" "$T/p2" \
		metrics.jsonl pbt.jsonl pbt_state.npz best.npz worker_3/checkpoint.npz
	# a run started on one device resumes on two
	$EVOJAX train --resume "$T/c1" --quiet --device "$devs" --set trainer.max_iter=9 >/dev/null 2>&1
	run c9 "$T/c.yaml" "$one" --set trainer.max_iter=9
	same "resume on 2 devices of a 1-device run = uninterrupted run" "$T/c1" "$T/c9" $files
else
	for c in "cartpole, normalize_obs: 2 devices = 1 device" \
		"cartpole, normalize_obs: weights 1:3 = 1 device" \
		"the banner and summary.json name both devices" \
		"image task (Fashion-MNIST, MLP): 2 devices = 1 device" \
		"seq2seq: 2 devices = 1 device" \
		"map_elites (behaviour descriptors): 2 devices, weights 1:3 = 1 device" \
		"pbt (4 workers, normalize_obs): 2 devices = 1 device" \
		"resume on 2 devices of a 1-device run = uninterrupted run"; do
		pass "$c # SKIP fewer than two PoCL devices"
	done
fi

# Bad input.
expect "a device spec that names no device: exit 3" 3 "no OpenCL device matches 'no-such-device-xyz'; available devices" -- \
	$EVOJAX train "$T/c.yaml" --quiet --out "$T/x1" --device "0,no-such-device-xyz"
expect "a device named twice: exit 3" 3 "the device spec names device 0 twice" -- \
	$EVOJAX train "$T/c.yaml" --quiet --out "$T/x2" --device "0,0"
expect "an empty item in the device spec: exit 3" 3 "empty item in the device spec '0,'" -- \
	$EVOJAX train "$T/c.yaml" --quiet --out "$T/x3" --device "0,"
expect "a weight that is not positive" 2 "'weights' must be a list of numbers > 0, got '0' (item 2)" -- \
	$EVOJAX validate "$T/c.yaml" --set 'device.weights=[1, 0]'
$EVOJAX train "$T/c.yaml" --quiet --out "$T/r" --set trainer.max_iter=2 --device 0 >/dev/null 2>&1
expect "--resume under another config: exit 2" 2 "cannot resume from '$T/r': it was written by another config ('algo.center_lr' is 0.05 there, 0.2 here); only trainer.max_iter and the device section may change" -- \
	$EVOJAX train --resume "$T/r" --quiet --set algo.center_lr=0.2
expect "--resume with another config file: exit 2" 2 "it was written by another config ('seed' is 3 there, 1 here)" -- \
	$EVOJAX train "$T/s.yaml" --resume "$T/r" --quiet
expect "--resume with more iterations on other devices: exit 0" 0 "" -- \
	$EVOJAX train --resume "$T/r" --quiet --set trainer.max_iter=3 --device "${devs:-0}"
# SlimeVolley's own evaluator (a wrapper of the episodic one) splits with
# its normalizer statistics; self-play, which pairs members across the whole
# population, refuses a split.
$EVOJAX train configs/slimevolley.yaml --smoke --quiet --device 0 --out "$T/sv1" >/dev/null 2>&1
$EVOJAX train configs/slimevolley.yaml --smoke --quiet --device all --out "$T/sv2" >/dev/null 2>&1
if [ -s "$T/sv1/metrics.jsonl" ] && cmp -s "$T/sv1/metrics.jsonl" "$T/sv2/metrics.jsonl" &&
	cmp -s "$T/sv1/final.npz" "$T/sv2/final.npz"; then
	pass "slimevolley (normalize_obs) on 2 devices = 1 device"
else
	fail "slimevolley (normalize_obs) on 2 devices = 1 device"
fi
expect "self-play refuses a split over devices" 2 "slimevolley cannot be split over 2 devices: its members are paired across the whole population" -- \
	$EVOJAX train configs/slimevolley_selfplay.yaml --smoke --quiet --device all --out "$T/sv3"
done_testing
