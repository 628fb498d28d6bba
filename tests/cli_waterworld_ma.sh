#!/bin/sh
# Multi-agent WaterWorld through the binary: the shipped config trains
# (smoke: the population stays one world of 16 members), the task is
# listed, and bad keys or populations exit 2 with located messages.
. tests/cli_lib.sh

expect "waterworld_ma config trains (smoke)" 0 "" -- \
	$EVOJAX train configs/waterworld_ma.yaml --smoke --quiet --out "$T/wm"
if grep -q '"final": true' "$T/wm/metrics.jsonl" &&
   grep -q '"size": 16' "$T/wm/metrics.jsonl" && [ -s "$T/wm/best.npz" ]; then
	pass "waterworld_ma smoke run: population 16, metrics and best.npz"
else
	fail "waterworld_ma smoke run: population 16, metrics and best.npz" "$(tail -2 "$T/wm/metrics.jsonl")"
fi
expect "waterworld_ma smoke with fixed agent sensing" 0 "" -- \
	$EVOJAX train configs/waterworld_ma.yaml --smoke --quiet --out "$T/wf" \
	--set task.agent_sensing=fixed
if $EVOJAX list 2>&1 | grep -q '^  waterworld_ma - multi-agent WaterWorld (EvoJAX)'; then
	pass "evojax list shows waterworld_ma"
else
	fail "evojax list shows waterworld_ma"
fi
printf 'task:\n  name: waterworld_ma\n  agent_sensing: exact\npolicy:\n  name: mlp\nalgo:\n  name: pgpe\n' >"$T/m0.yaml"
expect "waterworld_ma agent_sensing exact" 2 "$T/m0.yaml:3:18: 'agent_sensing' must be one of evojax, fixed, got 'exact'" -- \
	$EVOJAX validate "$T/m0.yaml"
expect "waterworld_ma num_agents 0" 2 "--set 'task.num_agents=0': 'num_agents' must be an integer in [1, 64], got '0'" -- \
	$EVOJAX validate configs/waterworld_ma.yaml --set task.num_agents=0
expect "waterworld_ma population 24" 2 "population 24 is not a multiple of the task's 16 agents per world (distinct members per agent)" -- \
	$EVOJAX train configs/waterworld_ma.yaml --smoke --quiet --out "$T/w24" --set algo.pop_size=24
done_testing
