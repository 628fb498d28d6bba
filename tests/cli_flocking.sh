#!/bin/sh
# The flocking task through the binary: EvoJAX's notebook config in smoke
# mode, the speed action (two outputs per boid), and config errors
# (exit 2, located).
. tests/cli_lib.sh

expect "flocking config smoke run" 0 "" -- $EVOJAX train configs/flocking.yaml --smoke --quiet --out "$T/smoke"
if grep -q "task flocking, policy mlp (4681 parameters)" "$T/smoke/log.txt" &&
	grep -q '"final": true' "$T/smoke/metrics.jsonl"; then
	pass "the smoke run trains the MLP 15-60-60-1 and tests it"
else
	fail "the smoke run trains the MLP 15-60-60-1 and tests it" "$(head -3 "$T/smoke/log.txt")"
fi
# A step's reward is -energy, and every boid avoids itself by 0.1 / 3
# (EvoJAX counts the pair (i, i)): energy >= 30 x 0.1 / 3 x 0.5 = 0.5, so a
# 100-step smoke episode returns at most -50.
if awk -F'"avg": ' '/"final": true/ { split($2, a, ","); v = a[1] + 0; found = 1 } END { exit !(found && v <= -50 && v > -1000) }' "$T/smoke/metrics.jsonl"; then
	pass "the final test score is at most -50 (0.5 of self-avoidance per step)"
else
	fail "the final test score is at most -50 (0.5 of self-avoidance per step)" "$(tail -1 "$T/smoke/metrics.jsonl")"
fi

expect "speed action smoke run" 0 "" -- $EVOJAX train configs/flocking.yaml --smoke --quiet --out "$T/speed" \
	--set task.action_type=1 --set task.reward_type=1
if grep -q "task flocking, policy mlp (4742 parameters)" "$T/speed/log.txt"; then
	pass "action_type 1 gives the MLP two outputs per boid"
else
	fail "action_type 1 gives the MLP two outputs per boid" "$(head -3 "$T/speed/log.txt")"
fi

sed 's/  action_type: 0/  action_type: 3/' configs/flocking.yaml >"$T/bad.yaml"
expect "action_type out of range, located" 2 "$T/bad.yaml:16:16: 'action_type' must be an integer in [0, 1], got '3'" -- \
	$EVOJAX validate "$T/bad.yaml"
expect "reward_type through --set" 2 "--set 'task.reward_type=2': 'reward_type' must be an integer in [0, 1], got '2'" -- \
	$EVOJAX validate configs/flocking.yaml --set task.reward_type=2
expect "misspelt key" 2 "unknown key 'max_step' in 'task' (did you mean 'max_steps'?)" -- \
	$EVOJAX validate configs/flocking.yaml --set task.max_step=10

done_testing
