#!/bin/sh
# Direct tasks (benchmark functions, planar arm) and MAP-Elites through the
# binary; EvoJAX benchmark configs run unchanged.
. tests/cli_lib.sh

cat >"$T/fn.yaml" <<'YAML'
seed: 3
task:
  name: function
  fn: sphere
  dim: 10
  shift: 0.5
algo:
  name: snes
  sigma_init: 1
trainer:
  max_iter: 300
  log_interval: 50
  test_interval: 100
YAML
expect "function task trains" 0 "" -- $EVOJAX train "$T/fn.yaml" --quiet --out "$T/fn"
# SNES on the 10-D sphere from 0 (optimum at 0.5): f < 1e-6 in 300 iterations.
if grep -q '"final": true' "$T/fn/metrics.jsonl" &&
	awk -F'"avg": ' '/"final": true/ { split($2, a, ","); v = a[1] + 0; found = 1 } END { exit !(found && v > -1e-6) }' "$T/fn/metrics.jsonl"; then
	pass "snes solves the shifted sphere (f < 1e-6)"
else
	fail "snes solves the shifted sphere (f < 1e-6)" "$(tail -1 "$T/fn/metrics.jsonl")"
fi
expect "direct task refuses a policy" 2 "task 'function' evaluates the parameters directly and takes no 'policy' section" -- \
	$EVOJAX validate configs/cartpole_easy.yaml --set task.name=function --set task.hard= --set task.max_steps=

cat >"$T/arm.yaml" <<'YAML'
seed: 1
task:
  name: arm
  joints: 8
algo:
  name: map_elites
  pop_size: 64
  bins: [16, 16]
trainer:
  max_iter: 40
  log_interval: 10
  test_interval: 20
YAML
expect "map_elites on the arm" 0 "" -- $EVOJAX train "$T/arm.yaml" --quiet --out "$T/arm"
if grep -q '"coverage": ' "$T/arm/metrics.jsonl" && grep -q '"qd_score": ' "$T/arm/metrics.jsonl" &&
	[ -s "$T/arm/archive.npz" ]; then
	pass "map_elites reports coverage and qd_score and saves archive.npz"
else
	fail "map_elites reports coverage and qd_score and saves archive.npz" "$(tail -2 "$T/arm/metrics.jsonl")"
fi
# The archive, read by numpy: every filled cell holds parameters whose arm
# (recomputed here: a = pi x, links 1/n, fitness -var(a), bd = (tip + 1)/2)
# gives its stored fitness and descriptors, and sits in its own cell.
PY=python3
$PY -c 'import numpy' 2>/dev/null || PY=/usr/bin/python3
if $PY -c "
import numpy as np
d = np.load('$T/arm/archive.npz')
f = d['filled'].astype(bool)
x = d['params'][f].astype(np.float64)
n = x.shape[1]
assert n == 8 and f.shape == (256,) and f.sum() >= 64, (n, f.shape, f.sum())
a = np.pi * x
th = np.cumsum(a, axis=1)
bd = (np.stack([np.cos(th).sum(1), np.sin(th).sum(1)], 1) / n + 1) / 2
fit = -((a - a.mean(1, keepdims=True)) ** 2).mean(1)
assert np.abs(bd - d['descriptors'][f]).max() < 1e-5
assert np.abs(fit - d['fitness'][f]).max() < 1e-5 * np.abs(fit).max() + 1e-6
b = d['bins']
c = np.minimum((bd * b).astype(int), b - 1)
assert (c[:, 0] * b[1] + c[:, 1] == np.nonzero(f)[0]).all()
" 2>"$T/py"; then
	pass "archive.npz: each elite's fitness, descriptors and cell recomputed by numpy"
else
	fail "archive.npz: each elite's fitness, descriptors and cell recomputed by numpy" "$(cat "$T/py")"
fi
grep -v 'sigma_init' "$T/fn.yaml" >"$T/fn2.yaml"
expect "map_elites needs descriptors" 2 "map_elites needs a task with behaviour descriptors" -- \
	$EVOJAX train "$T/fn2.yaml" --quiet --set algo.name=map_elites --out "$T/x"
# Resume of a direct task with an archive is bit-exact.
$EVOJAX train "$T/arm.yaml" --quiet --set trainer.max_iter=25 --out "$T/a1" >/dev/null 2>&1
$EVOJAX train --resume "$T/a1" --quiet --set trainer.max_iter=40 >/dev/null 2>&1
if cmp -s "$T/a1/metrics.jsonl" "$T/arm/metrics.jsonl" && cmp -s "$T/a1/archive.npz" "$T/arm/archive.npz"; then
	pass "map_elites resume is bit-exact"
else
	fail "map_elites resume is bit-exact"
fi

# EvoJAX benchmark configs run unchanged (scripts/benchmarks/configs/PGPE/cartpole_easy.yaml).
cat >"$T/ej.yaml" <<'YAML'
es_name: "PGPE"
problem_type: "cartpole_easy"
normalize: false
es_config:
  pop_size: 64
  center_learning_rate: 0.05
  stdev_learning_rate: 0.1
  init_stdev: 0.1
  optimizer: "adam"
hidden_size: 64
num_tests: 100
n_repeats: 16
max_iter: 1000
test_interval: 100
log_interval: 20
seed: 42
gpu_id: [0, 1, 2, 3]
debug: false
YAML
$EVOJAX validate "$T/ej.yaml" >"$T/ej.out" 2>&1
$EVOJAX validate configs/cartpole_easy.yaml >"$T/native.out" 2>&1
if head -1 "$T/ej.out" | grep -q "^# translated from an EvoJAX benchmark config (es_name 'PGPE'" &&
	tail -n +2 "$T/ej.out" | cmp -s - "$T/native.out"; then
	pass "EvoJAX PGPE config translates to configs/cartpole_easy.yaml"
else
	fail "EvoJAX PGPE config translates to configs/cartpole_easy.yaml" "$(diff "$T/ej.out" "$T/native.out" | head -5)"
fi
expect "EvoJAX config trains (smoke)" 0 "" -- $EVOJAX train "$T/ej.yaml" --smoke --quiet --out "$T/ej"
sed 's/"PGPE"/"xNES"/' "$T/ej.yaml" >"$T/ej1.yaml"
expect "unsupported es_name" 2 "$T/ej1.yaml:1:10: es_name 'xNES' is not supported; supported: PGPE, OpenES, ARS, ARS_native, CMA, CMA_ES, CMA_ES_JAX, Sep_CMA_ES, CRFMNES, FCRFMC, FPGPEC, SimpleGA, iAMaLGaM" -- \
	$EVOJAX validate "$T/ej1.yaml"
sed 's/"cartpole_easy"/"brax"/' "$T/ej.yaml" >"$T/ej2.yaml"
expect "unsupported problem_type" 2 "$T/ej2.yaml:2:15: problem_type 'brax' is not supported; supported: cartpole_easy, cartpole_hard, mnist, waterworld, slimevolley, waterworld_ma" -- \
	$EVOJAX validate "$T/ej2.yaml"
# EvoJAX's FPGPEC (fcmaes' C++ PGPE: Adam always) and FCRFMC (C++ CR-FM-NES)
# translate to the native pgpe and cr_fm_nes.
sed -e 's/"PGPE"/"FPGPEC"/' -e '/optimizer: "adam"/d' "$T/ej.yaml" >"$T/fp.yaml"
if $EVOJAX validate "$T/fp.yaml" >"$T/fp.out" 2>&1 && grep -q '^  name: pgpe$' "$T/fp.out" &&
	grep -q '^  name: adam$' "$T/fp.out" && grep -q '^  center_lr: 0.05$' "$T/fp.out"; then
	pass "EvoJAX FPGPEC config translates (pgpe, adam without an optimizer key)"
else
	fail "EvoJAX FPGPEC config translates (pgpe, adam without an optimizer key)" "$(cat "$T/fp.out")"
fi
sed 's/"adam"/"clipup"/' "$T/ej.yaml" | sed 's/"PGPE"/"FPGPEC"/' >"$T/fp2.yaml"
expect "FPGPEC refuses other optimizers" 2 "$T/fp2.yaml:9:14: FPGPEC supports optimizer 'adam' only, got 'clipup'" -- \
	$EVOJAX validate "$T/fp2.yaml"
sed -e 's/"PGPE"/"FCRFMC"/' -e '/learning_rate\|optimizer/d' -e 's/init_stdev: 0.1/init_stdev: 0.3/' "$T/ej.yaml" >"$T/fc.yaml"
if $EVOJAX validate "$T/fc.yaml" >"$T/fc.out" 2>&1 && grep -q '^  name: cr_fm_nes$' "$T/fc.out" &&
	grep -q '^  init_stdev: 0.3$' "$T/fc.out"; then
	pass "EvoJAX FCRFMC config translates (cr_fm_nes)"
else
	fail "EvoJAX FCRFMC config translates (cr_fm_nes)" "$(cat "$T/fc.out")"
fi
# EvoJAX's PGPE/mnist.yaml: ConvNet, batch_size -> task, hidden_size unused.
cat >"$T/ejm.yaml" <<'YAML'
es_name: "PGPE"
problem_type: "mnist"
normalize: false
es_config:
  pop_size: 64
  center_learning_rate: 0.006
  stdev_learning_rate: 0.089
  init_stdev: 0.039
  optimizer: "adam"
hidden_size: 100
batch_size: 1024
max_iter: 2000
test_interval: 500
log_interval: 100
num_tests: 1
n_repeats: 1
seed: 42
gpu_id: [0, 1, 2, 3]
debug: false
YAML
$EVOJAX validate "$T/ejm.yaml" >"$T/ejm.out" 2>&1
if grep -q '^  name: convnet' "$T/ejm.out" && grep -q '^  batch_size: 1024' "$T/ejm.out" &&
	grep -q '^  center_lr: 0.006' "$T/ejm.out" && grep -q 'data_dir: "./data/mnist"' "$T/ejm.out" &&
	! grep -q 'hidden' "$T/ejm.out"; then
	pass "EvoJAX PGPE/mnist.yaml translates (convnet, task batch_size, no hidden)"
else
	fail "EvoJAX PGPE/mnist.yaml translates (convnet, task batch_size, no hidden)" "$(cat "$T/ejm.out")"
fi
sed 's/^batch_size: 1024/batch_size: 0/' "$T/ejm.yaml" >"$T/ejm2.yaml"
expect "translated batch_size keeps its line" 2 "$T/ejm2.yaml:11:13: 'batch_size' must be an integer in [1, 1000000], got '0'" -- \
	$EVOJAX validate "$T/ejm2.yaml"
sed 's/  pop_size: 64/  pop_size: 63/' "$T/ej.yaml" >"$T/ej3.yaml"
expect "translated errors point at the original line" 2 "$T/ej3.yaml:5:13: 'pop_size' must be an even integer >= 2, got '63'" -- \
	$EVOJAX validate "$T/ej3.yaml"

# EvoJAX's OpenES config (evosax optimizer with lrate_decay): the decay
# becomes an exponential schedule with gamma = max_iter ln(0.999).
cat >"$T/oes.yaml" <<'YAML'
es_name: "OpenES"
problem_type: "cartpole_easy"
normalize: false
es_config:
  pop_size: 100
  init_stdev: 0.03
  decay_stdev: 0.999
  limit_stdev: 0.01
  optimizer: "adam"
  optimizer_config:
    lrate_init: 0.02
    lrate_decay: 0.999
    lrate_limit: 0.001
    momentum: 0.0
hidden_size: 64
num_tests: 100
n_repeats: 16
max_iter: 1000
test_interval: 100
log_interval: 50
seed: 42
gpu_id: 0
debug: false
YAML
$EVOJAX validate "$T/oes.yaml" >"$T/oes.out" 2>&1
if grep -q '^  name: open_es$' "$T/oes.out" && grep -q '^  lr: 0.02$' "$T/oes.out" &&
	grep -q '^  sigma_init: 0.03$' "$T/oes.out" && grep -q '^  sigma_limit: 0.01$' "$T/oes.out" &&
	grep -q '^    profile: exponential$' "$T/oes.out" && grep -q '^    gamma: -1.0005003335835' "$T/oes.out"; then
	pass "EvoJAX OpenES config translates (lr decay as exponential schedule)"
else
	fail "EvoJAX OpenES config translates (lr decay as exponential schedule)" "$(cat "$T/oes.out")"
fi
# EvoJAX's ARS config: elite_ratio 0.1 of 100 -> top_k 5, stdev decay -> noise decay.
sed -e 's/"OpenES"/"ARS"/' -e 's/"adam"/"sgd"/' -e 's/^  pop_size: 100/  pop_size: 100\n  elite_ratio: 0.1/' "$T/oes.yaml" >"$T/ars.yaml"
$EVOJAX validate "$T/ars.yaml" >"$T/ars.out" 2>&1
if grep -q '^  name: ars$' "$T/ars.out" && grep -q '^  top_k: 5$' "$T/ars.out" &&
	grep -q '^  noise_std: 0.03$' "$T/ars.out" && grep -q '^  noise_decay: 0.999$' "$T/ars.out" &&
	grep -q '^  step_size: 0.02$' "$T/ars.out"; then
	pass "EvoJAX ARS config translates"
else
	fail "EvoJAX ARS config translates" "$(cat "$T/ars.out")"
fi
# ... and survives --smoke: top_k 5 of 50 directions -> 5 * 8 / 100 -> 1.
$EVOJAX validate "$T/ars.yaml" --smoke >"$T/arss.out" 2>&1
if grep -q '^  top_k: 1$' "$T/arss.out" && grep -q '^  pop_size: 8$' "$T/arss.out" &&
	$EVOJAX train "$T/ars.yaml" --smoke --quiet --out "$T/arss" >/dev/null 2>&1; then
	pass "EvoJAX ARS config with --smoke (top_k scaled)"
else
	fail "EvoJAX ARS config with --smoke (top_k scaled)" "$(cat "$T/arss.out")"
fi
# EvoJAX's SimpleGA (truncation_divisor 4 -> elite_ratio 0.25) and CMA_ES_JAX.
sed -e 's/"OpenES"/"SimpleGA"/' -e '/init_stdev\|decay_stdev\|limit_stdev\|optimizer\|lrate\|momentum/d' \
	-e 's/^  pop_size: 100/  pop_size: 64\n  truncation_divisor: 4\n  sigma: 0.05/' "$T/oes.yaml" >"$T/ga.yaml"
$EVOJAX validate "$T/ga.yaml" >"$T/ga.out" 2>&1
if grep -q '^  name: simple_ga$' "$T/ga.out" && grep -q '^  elite_ratio: 0.25$' "$T/ga.out" &&
	grep -q '^  sigma: 0.05$' "$T/ga.out"; then
	pass "EvoJAX SimpleGA config translates"
else
	fail "EvoJAX SimpleGA config translates" "$(cat "$T/ga.out")"
fi
sed -e 's/"OpenES"/"Sep_CMA_ES"/' -e '/decay_stdev\|limit_stdev\|optimizer\|lrate\|momentum/d' \
	-e 's/^  pop_size: 100/  pop_size: 100\n  elite_ratio: 0.3/' "$T/oes.yaml" >"$T/sep.yaml"
expect "unsupported elite_ratio for CMA" 2 "'elite_ratio' 0.3 is not supported" -- $EVOJAX validate "$T/sep.yaml"
sed -i 's/elite_ratio: 0.3/elite_ratio: 0.5/' "$T/sep.yaml"
$EVOJAX validate "$T/sep.yaml" >"$T/sep.out" 2>&1
if grep -q '^  name: sep_cma_es$' "$T/sep.out" && grep -q '^  init_stdev: 0.03$' "$T/sep.out"; then
	pass "EvoJAX Sep_CMA_ES config translates"
else
	fail "EvoJAX Sep_CMA_ES config translates" "$(cat "$T/sep.out")"
fi

# Test-only device code (tests/*.cl) is embedded into the test binaries
# only (Makefile: build/gen/cl_embed_test.c); the product carries its own.
if grep -qa "tasks/cartpole.cl" "$EVOJAX" && ! grep -qa "tests/[a-z_]*\.cl" "$EVOJAX"; then
	pass "the binary embeds product kernels and no test kernels"
else
	fail "the binary embeds product kernels and no test kernels" \
		"$(grep -ao 'tests/[a-z_]*\.cl' "$EVOJAX" | sort -u | head -5)"
fi
# Every es_name of the distribution family, on cartpole_hard with
# normalize: the algorithm, the task variant, the one hidden size twice,
# the observation normalizer; each then trains (--smoke).
for pair in "CMA cma_es" "CMA_ES cma_es" "CMA_ES_JAX cma_es" "Sep_CMA_ES sep_cma_es" \
	"CRFMNES cr_fm_nes" "FCRFMC cr_fm_nes"; do
	set -- $pair
	printf 'es_name: "%s"\nproblem_type: "cartpole_hard"\nnormalize: true\nes_config:\n  pop_size: 32\n  init_stdev: 0.2\nhidden_size: 16\nnum_tests: 10\nn_repeats: 2\nmax_iter: 5\ntest_interval: 5\nlog_interval: 1\nseed: 3\n' "$1" >"$T/es_$1.yaml"
	$EVOJAX validate "$T/es_$1.yaml" >"$T/es.out" 2>&1
	if grep -q "^  name: $2\$" "$T/es.out" && grep -q '^  hard: true$' "$T/es.out" &&
		grep -q '^  hidden: \[16, 16\]$' "$T/es.out" && grep -q '^  normalize_obs: true$' "$T/es.out" &&
		grep -q '^  pop_size: 32$' "$T/es.out" && grep -q '^  init_stdev: 0.2$' "$T/es.out" &&
		grep -q '^  n_evaluations: 10$' "$T/es.out" &&
		$EVOJAX train "$T/es_$1.yaml" --smoke --quiet --out "$T/es_$1" >/dev/null 2>&1; then
		pass "EvoJAX es_name $1 -> $2 (cartpole_hard, normalize) translates and trains"
	else
		fail "EvoJAX es_name $1 -> $2 (cartpole_hard, normalize) translates and trains" "$(cat "$T/es.out")"
	fi
done
# ARS_native is ARS (EvoJAX's own implementation of the same method).
sed 's/"ARS"/"ARS_native"/' "$T/ars.yaml" >"$T/arsn.yaml"
$EVOJAX validate "$T/arsn.yaml" 2>&1 | tail -n +2 >"$T/arsn.out"
tail -n +2 "$T/ars.out" >"$T/ars2.out"
if [ -s "$T/arsn.out" ] && cmp -s "$T/arsn.out" "$T/ars2.out"; then
	pass "EvoJAX ARS_native translates as ARS"
else
	fail "EvoJAX ARS_native translates as ARS" "$(diff "$T/arsn.out" "$T/ars2.out" | head -5)"
fi

# SlimeVolley: its config errors are located and exit 2.
sed 's/max_steps: 3000/max_steps: -3/' configs/slimevolley.yaml >"$T/sv.yaml"
expect "slimevolley max_steps out of range" 2 "$T/sv.yaml:14:14: 'max_steps' must be an integer in [1, 1000000], got '-3'" -- \
	$EVOJAX validate "$T/sv.yaml"
expect "slimevolley unknown key" 2 "--set 'task.max_step=10': unknown key 'max_step' in 'task' (did you mean 'max_steps'?)" -- \
	$EVOJAX validate configs/slimevolley.yaml --set task.max_step=10
# Self-play: the option's choices, an odd population (at the first
# evaluation, exit 2), the run banner; tests still play the baseline.
expect "slimevolley opponent choices" 2 "--set 'task.opponent=self': 'opponent' must be one of baseline, selfplay, got 'self'" -- \
	$EVOJAX validate configs/slimevolley_selfplay.yaml --set task.opponent=self
cat >"$T/svodd.yaml" <<'YAML'
task: {name: slimevolley, opponent: selfplay, max_steps: 50}
policy: {name: mlp, hidden: [8], output: tanh}
algo: {name: simple_ga, pop_size: 7}
trainer: {max_iter: 2, n_repeats: 2, n_evaluations: 2}
YAML
expect "slimevolley self-play needs an even population" 2 "self-play pairs the members of a population: 7 members is an odd number" -- \
	$EVOJAX train "$T/svodd.yaml" --quiet --out "$T/svodd"
if $EVOJAX train configs/slimevolley_selfplay.yaml --smoke --quiet --out "$T/svsp" >/dev/null 2>&1 &&
	grep -q "task slimevolley, self-play (random pairs, sides alternate by repeat; tests vs the baseline)" "$T/svsp/log.txt"; then
	pass "slimevolley self-play smoke run, banner"
else
	fail "slimevolley self-play smoke run, banner" "$(head -3 "$T/svsp/log.txt" 2>&1)"
fi
# EvoJAX's iAMaLGaM/cartpole_easy.yaml (the wrapper's keys are native).
cat >"$T/iam.yaml" <<'YAML'
es_name: "iAMaLGaM"
problem_type: "cartpole_easy"
normalize: false
es_config:
  full_covariance: false
  elite_ratio: 0.35
  pop_size: 100
  init_stdev: 0.0
  decay_stdev: 0.999
  limit_stdev: 0.0
hidden_size: 64
num_tests: 100
n_repeats: 16
max_iter: 1000
test_interval: 100
log_interval: 50
seed: 42
gpu_id: 0
debug: false
YAML
$EVOJAX validate "$T/iam.yaml" | tail -n +2 >"$T/iam.out" 2>&1
$EVOJAX validate configs/algos/iamalgam/cartpole_easy.yaml >"$T/iamn.out" 2>&1
if [ -s "$T/iam.out" ] && cmp -s "$T/iam.out" "$T/iamn.out"; then
	pass "EvoJAX iAMaLGaM config translates to configs/algos/iamalgam/cartpole_easy.yaml"
else
	fail "EvoJAX iAMaLGaM config translates to configs/algos/iamalgam/cartpole_easy.yaml" "$(diff "$T/iam.out" "$T/iamn.out" | head -8)"
fi
# problem_type slimevolley: the task against its baseline, MLP [hidden], tanh.
sed -e 's/"cartpole_easy"/"slimevolley"/' -e 's/^hidden_size: 64/hidden_size: 100/' "$T/ej.yaml" >"$T/ejs.yaml"
$EVOJAX validate "$T/ejs.yaml" >"$T/ejs.out" 2>&1
if grep -q '^  name: slimevolley$' "$T/ejs.out" && grep -q '^  max_steps: 3000$' "$T/ejs.out" &&
	grep -q '^  hidden: \[100\]$' "$T/ejs.out" && grep -q '^  output: tanh$' "$T/ejs.out"; then
	pass "EvoJAX problem_type slimevolley translates (MLP [100], tanh, 3000 steps)"
else
	fail "EvoJAX problem_type slimevolley translates (MLP [100], tanh, 3000 steps)" "$(cat "$T/ejs.out")"
fi

# The permutation-invariant policy on shuffled cartpole: the shipped config
# trains (smoke), its parameters are EvoJAX's 993, and the task key is
# checked like any other.
expect "cartpole_pi smoke trains" 0 "" -- $EVOJAX train configs/cartpole_pi.yaml --smoke --quiet --out "$T/pi"
if $PY -c "
import numpy as np
assert np.load('$T/pi/best.npz')['params'].shape == (993,)
" 2>"$T/py"; then
	pass "cartpole_pi best.npz holds 993 parameters"
else
	fail "cartpole_pi best.npz holds 993 parameters" "$(cat "$T/py")"
fi
expect "shuffle_obs must be a bool" 2 "'shuffle_obs' must be true or false, got '3'" -- \
	$EVOJAX validate configs/cartpole_pi.yaml --set task.shuffle_obs=3
# EvoJAX's PGPE/waterworld.yaml: the task of configs/waterworld.yaml.
cat >"$T/waterworld.yaml" <<'YAML'
es_name: "PGPE"
problem_type: "waterworld"
normalize: false
es_config:
  pop_size: 256
  center_learning_rate: 0.014
  stdev_learning_rate: 0.088
  init_stdev: 0.069
  optimizer: "adam"
hidden_size: 100
num_tests: 100
n_repeats: 32
max_iter: 1000
test_interval: 50
log_interval: 10
seed: 42
gpu_id: [0, 1, 2, 3]
debug: false
YAML
# translates NAME: $T/NAME.yaml (EvoJAX's PGPE/NAME.yaml) validates to the
# resolved configs/NAME.yaml
translates() {
	$EVOJAX validate "$T/$1.yaml" 2>&1 | tail -n +2 >"$T/$1.out"
	$EVOJAX validate "configs/$1.yaml" >"$T/$1.native" 2>&1
	if [ -s "$T/$1.out" ] && cmp -s "$T/$1.out" "$T/$1.native"; then
		pass "EvoJAX PGPE/$1.yaml translates to configs/$1.yaml"
	else
		fail "EvoJAX PGPE/$1.yaml translates to configs/$1.yaml" "$(diff "$T/$1.out" "$T/$1.native" | head -8)"
	fi
}
translates waterworld
# EvoJAX's PGPE/waterworld_ma.yaml: the task of configs/waterworld_ma.yaml.
cat >"$T/waterworld_ma.yaml" <<'YAML'
es_name: "PGPE"
problem_type: "waterworld_ma"
normalize: false
es_config:
  pop_size: 16
  center_learning_rate: 0.011
  stdev_learning_rate: 0.054
  init_stdev: 0.095
  optimizer: "adam"
hidden_size: 100
num_tests: 16
n_repeats: 64
max_iter: 2000
test_interval: 100
log_interval: 10
seed: 42
gpu_id: [0, 1, 2, 3]
debug: false
YAML
translates waterworld_ma
done_testing
