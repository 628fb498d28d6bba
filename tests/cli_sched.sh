#!/bin/sh
# Schedules drive the algorithm's hyperparameters through the trainer.
. tests/cli_lib.sh
C=configs/cartpole_easy.yaml
S="--smoke --quiet --set trainer.max_iter=6"

$EVOJAX train $C $S --out "$T/none" >/dev/null 2>&1
$EVOJAX train $C $S --set schedule.center_lr=constant --out "$T/const" >/dev/null 2>&1
$EVOJAX train $C $S --set schedule.center_lr=rex --out "$T/rex" >/dev/null 2>&1
if cmp -s "$T/none/metrics.jsonl" "$T/const/metrics.jsonl"; then
	pass "constant schedule changes nothing"
else
	fail "constant schedule changes nothing"
fi
# The first update (iteration 0, factor 1) is the same; later ones differ.
if [ "$(sed -n 2p "$T/none/metrics.jsonl")" = "$(sed -n 2p "$T/rex/metrics.jsonl")" ] &&
	! cmp -s "$T/none/metrics.jsonl" "$T/rex/metrics.jsonl"; then
	pass "rex schedule changes the updates after the first"
else
	fail "rex schedule changes the updates after the first"
fi
if grep -q '^  center_lr:$' "$T/rex/config.yaml" && grep -q '^    profile: rex$' "$T/rex/config.yaml"; then
	pass "resolved config records the schedule"
else
	fail "resolved config records the schedule" "$(cat "$T/rex/config.yaml")"
fi

# Plateau state is checkpointed: resume is bit-exact.
plateau() {
	$EVOJAX train $C --smoke --quiet --set 'schedule.center_lr={profile: plateau, patience: 1}' \
		--set trainer.test_interval=1 "$@" >/dev/null 2>&1
}
plateau --set trainer.max_iter=3 --out "$T/p1"
$EVOJAX train --resume "$T/p1" --quiet --set trainer.max_iter=8 >/dev/null 2>&1
plateau --set trainer.max_iter=8 --out "$T/p2"
if [ -s "$T/p2/metrics.jsonl" ] && cmp -s "$T/p1/metrics.jsonl" "$T/p2/metrics.jsonl"; then
	pass "resume with a plateau schedule is bit-exact"
else
	fail "resume with a plateau schedule is bit-exact" "$(diff "$T/p1/metrics.jsonl" "$T/p2/metrics.jsonl" | head -4)"
fi

expect "unknown schedulable key" 2 "algorithm 'pgpe' has no schedulable 'center_lrr' (did you mean 'center_lr'?)" -- \
	$EVOJAX validate $C --set schedule.center_lrr=rex
expect "unknown profile" 2 "unknown schedule profile 'rexx' (did you mean 'rex'?)" -- \
	$EVOJAX validate $C --set schedule.center_lr=rexx
printf 'schedule:\n  stdev_lr:\n    profile: step\n    patience: 3\n' >"$T/s.yaml"
sed '/^trainer:/,$d' $C >"$T/base.yaml"
cat "$T/base.yaml" "$T/s.yaml" >"$T/bad.yaml"
expect "key of another profile" 2 "unknown key 'patience'" -- $EVOJAX validate "$T/bad.yaml"
done_testing
