#!/bin/sh
# The multi-dimensional knapsack task through the binary: EvoJAX's config
# in smoke mode, a small CSV instance solved to its optimum and scored
# again by `evojax test`, and the errors of bad instances (exit 2).
. tests/cli_lib.sh

expect "mdkp config smoke run" 0 "" -- $EVOJAX train configs/mdkp.yaml --smoke --quiet --out "$T/smoke"
if grep -q "task mdkp (2000 parameters, evaluated directly; 2000 items x 3 attributes, 5 bins, synthesized (seed 0" "$T/smoke/log.txt"; then
	pass "the banner names EvoJAX's synthesized instance"
else
	fail "the banner names EvoJAX's synthesized instance"
fi

# Items (weight, value) (1,10) (1,10) (2,1) (2,1), two bins of capacity 2:
# the optimum is 21 (items 0 and 1 in one bin, one weight-2 item in the other).
printf '1,10\n1,10\n2,1\n2,1\n' >"$T/items.csv"
printf '2\n2\n' >"$T/caps.csv"
cat >"$T/small.yaml" <<YAML
seed: 1
task:
  name: mdkp
  items_csv: $T/items.csv
  capacity_csv: $T/caps.csv
algo:
  name: simple_ga
  pop_size: 32
  sigma: 0.3
trainer:
  max_iter: 60
  log_interval: 20
  test_interval: 20
  n_evaluations: 1
YAML
expect "mdkp trains on CSV files" 0 "" -- $EVOJAX train "$T/small.yaml" --quiet --out "$T/small"
if grep '"final": true' "$T/small/metrics.jsonl" | grep -q '"max": 21,'; then
	pass "simple_ga reaches the optimum 21 of the small instance"
else
	fail "simple_ga reaches the optimum 21 of the small instance" "$(tail -1 "$T/small/metrics.jsonl")"
fi
$EVOJAX test "$T/small.yaml" --params "$T/small/best.npz" >"$T/test.out" 2>"$T/err"
if grep -q '"max": 21,' "$T/test.out"; then
	pass "evojax test scores best.npz 21 again"
else
	fail "evojax test scores best.npz 21 again" "$(cat "$T/test.out" "$T/err")"
fi

expect "one CSV file alone" 2 "'capacity_csv' is set but 'items_csv' is not" -- \
	$EVOJAX train configs/mdkp.yaml --smoke --quiet --out "$T/x1" --set task.capacity_csv="$T/caps.csv"
expect "missing CSV file" 2 "cannot read items_csv '$T/nope.csv': No such file or directory" -- \
	$EVOJAX train configs/mdkp.yaml --smoke --quiet --out "$T/x2" --set task.items_csv="$T/nope.csv" --set task.capacity_csv="$T/caps.csv"
printf '1,10\n1,x\n' >"$T/bad.csv"
expect "non-numeric cell" 2 "$T/bad.csv:2:3: 'x' is not a number" -- \
	$EVOJAX train configs/mdkp.yaml --smoke --quiet --out "$T/x3" --set task.items_csv="$T/bad.csv" --set task.capacity_csv="$T/caps.csv"
printf '1,10\n1,2,3\n' >"$T/ragged.csv"
expect "ragged rows" 2 "$T/ragged.csv:2: more than 2 cells, expected 2 as on line 1" -- \
	$EVOJAX test "$T/small.yaml" --params "$T/small/best.npz" --set task.items_csv="$T/ragged.csv"
expect "items without values" 2 "$T/caps.csv:1: 1 column, expected 2: the 1 attribute of capacity_csv '$T/caps.csv' and a value" -- \
	$EVOJAX train "$T/small.yaml" --quiet --out "$T/x4" --set task.items_csv="$T/caps.csv"
: >"$T/empty.csv"
expect "empty CSV file" 2 "$T/empty.csv: empty file, no rows" -- \
	$EVOJAX train "$T/small.yaml" --quiet --out "$T/x5" --set task.capacity_csv="$T/empty.csv"
expect "zero items" 2 "'num_items' must be an integer in [1, 1000000], got '0'" -- \
	$EVOJAX validate configs/mdkp.yaml --set task.num_items=0
expect "negative bins" 2 "'num_bins' must be an integer in [1, 100000], got '-1'" -- \
	$EVOJAX validate configs/mdkp.yaml --set task.num_bins=-1
expect "mdkp takes no policy" 2 "task 'mdkp' evaluates the parameters directly and takes no 'policy' section" -- \
	$EVOJAX validate configs/mdkp.yaml --set policy.name=mlp
done_testing
