#!/bin/sh
# Seq2seq addition (task 'seq2seq', policy 'seq2seq'): short training runs
# with a tiny LSTM (hidden 16, pop 16), the metrics file, config errors.
. tests/cli_lib.sh

cat >"$T/s.yaml" <<YAML
seed: 1
task:
  name: seq2seq
  digits: 2
  batch_size: 64
  test_size: 200
policy:
  name: seq2seq
  hidden: 16
algo:
  name: pgpe
  pop_size: 16
  center_lr: 0.05
  init_stdev: 0.1
trainer:
  max_iter: 40
  log_interval: 10
  test_interval: 20
YAML
expect "seq2seq trains (2 digits, hidden 16)" 0 "" -- $EVOJAX train "$T/s.yaml" --quiet --out "$T/s"
# 4 train lines (iter 0, 10, 20, 30) and 2 test lines (iter 20, final 40).
ntrain=$(grep -c '"kind": "train"' "$T/s/metrics.jsonl")
ntest=$(grep -c '"kind": "test"' "$T/s/metrics.jsonl")
if [ "$ntrain" -eq 4 ] && [ "$ntest" -eq 2 ] &&
	grep -q '"kind": "test", "iter": 40, "final": true, "n": 1, "max": ' "$T/s/metrics.jsonl"; then
	pass "metrics.jsonl has 4 train and 2 test lines"
else
	fail "metrics.jsonl has 4 train and 2 test lines" "$(cat "$T/s/metrics.jsonl")"
fi
# Train fitness = -cross entropy: about -(3/4) ln 15 = -2.03 at the start,
# <= 0, and it rises.
first=$(sed -n 's/.*"iter": 0, .*"avg": \([-0-9.e]*\).*/\1/p' "$T/s/metrics.jsonl")
last=$(sed -n 's/.*"iter": 30, .*"avg": \([-0-9.e]*\).*/\1/p' "$T/s/metrics.jsonl")
if awk -v a="$first" -v b="$last" 'BEGIN { exit !(a != "" && b != "" && a > -2.3 && a < -1.8 && b <= 0 && b > a + 0.1) }'; then
	pass "train reward -cross entropy rises ($first -> $last)"
else
	fail "train reward -cross entropy rises ($first -> $last)"
fi
grep -q '"param_count": 4351,' "$T/s/summary.json" &&
	pass "summary: 2 * (4*15*16 + 4*(16*16 + 16)) + 16*15 + 15 = 4351 parameters" ||
	fail "summary: 4351 parameters" "$(cat "$T/s/summary.json")"
expect "evojax test on saved params" 0 "" -- $EVOJAX test "$T/s.yaml" --params "$T/s/best.npz"

# One digit: the answer is op2 (op1 is 0), a copy task; exact-sequence
# test accuracy goes from 0 to >= 0.3 in 100 iterations (chance 0.1).
expect "seq2seq learns to copy (1 digit)" 0 "" -- $EVOJAX train "$T/s.yaml" --quiet \
	--set task.digits=1 --set trainer.max_iter=100 --set algo.center_lr=0.1 --out "$T/c"
acc0=$(sed -n 's/.*"kind": "test", "iter": 20, .*"avg": \([-0-9.e]*\).*/\1/p' "$T/c/metrics.jsonl")
if awk -F'"avg": ' -v a0="$acc0" '/"final": true/ { split($2, a, ","); v = a[1] + 0; found = 1 } END { exit !(found && a0 + 0 == 0 && v >= 0.3) }' "$T/c/metrics.jsonl"; then
	pass "test accuracy rises from 0 to >= 0.3"
else
	fail "test accuracy rises from 0 to >= 0.3" "$(grep '"test"' "$T/c/metrics.jsonl")"
fi

sed 's/  digits: 2/  digits: 9/' "$T/s.yaml" >"$T/d.yaml"
expect "digits out of range" 2 "d.yaml:4:11: 'digits' must be an integer in [1, 8], got '9'" -- \
	$EVOJAX validate "$T/d.yaml"
sed 's/  hidden: 16/  hidden: 0/' "$T/s.yaml" >"$T/h.yaml"
expect "hidden out of range" 2 "h.yaml:9:11: 'hidden' must be an integer in [1, 1024], got '0'" -- \
	$EVOJAX train "$T/h.yaml" --quiet --out "$T/x"
sed 's/  name: seq2seq$/  name: mlp/' "$T/s.yaml" | sed '3s/  name: mlp/  name: seq2seq/' >"$T/m.yaml"
expect "mlp cannot drive seq2seq" 2 "m.yaml:8:9: policy 'mlp' cannot drive task 'seq2seq'" -- \
	$EVOJAX validate "$T/m.yaml" --set policy.hidden=
expect "seq2seq cannot drive cartpole" 2 "policy 'seq2seq' cannot drive task 'cartpole'" -- \
	$EVOJAX validate configs/cartpole_easy.yaml --set policy.name=seq2seq --set policy.hidden= --set policy.output=
done_testing
