#!/bin/sh
# WaterWorld through the binary: the shipped config trains (smoke), the
# task is listed, and bad keys exit 2 with located messages.
. tests/cli_lib.sh

expect "waterworld config trains (smoke)" 0 "" -- \
	$EVOJAX train configs/waterworld.yaml --smoke --quiet --out "$T/ww"
if grep -q '"final": true' "$T/ww/metrics.jsonl" && [ -s "$T/ww/best.npz" ]; then
	pass "waterworld smoke run writes metrics and best.npz"
else
	fail "waterworld smoke run writes metrics and best.npz" "$(tail -2 "$T/ww/metrics.jsonl")"
fi
if $EVOJAX list 2>&1 | grep -q '^  waterworld - WaterWorld (EvoJAX)'; then
	pass "evojax list shows waterworld"
else
	fail "evojax list shows waterworld"
fi
printf 'task:\n  name: waterworld\n  max_steps: 0\npolicy:\n  name: mlp\nalgo:\n  name: pgpe\n' >"$T/w0.yaml"
expect "waterworld max_steps 0" 2 "$T/w0.yaml:3:14: 'max_steps' must be an integer in [1, 1000000], got '0'" -- \
	$EVOJAX validate "$T/w0.yaml"
expect "waterworld num_items 201" 2 "--set 'task.num_items=201': 'num_items' must be an integer in [1, 200], got '201'" -- \
	$EVOJAX validate configs/waterworld.yaml --set task.num_items=201
done_testing
