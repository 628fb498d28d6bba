#!/bin/sh
# Population-based training through the CLI (core/pbt.h): determinism,
# resume (after a planned stop and after SIGINT) equal to an uninterrupted
# run, exploit copies the whole state, explore uses the allowed factors,
# metrics lines carry the worker, config errors with file:line:col.
. tests/cli_lib.sh
C=configs/pbt/cartpole_pbt.yaml
S="--set algo.pop_size=8 --set trainer.n_repeats=2 --set task.max_steps=100
   --set trainer.n_evaluations=4 --set pbt.eval_interval=10
   --set pbt.ready=20 --set trainer.log_interval=5"
PY=python3
python3 -c 'import numpy' 2>/dev/null || PY=/usr/bin/python3

# shellcheck disable=SC2086
run() { d=$1; shift; $EVOJAX train $C $S --set pbt.workers=4 --quiet --out "$T/$d" "$@" >/dev/null 2>"$T/$d.err"; }

run a --set trainer.max_iter=41
run b --set trainer.max_iter=41
if [ -s "$T/a/pbt.jsonl" ] && grep -q '"event": "exploit"' "$T/a/pbt.jsonl" &&
	cmp -s "$T/a/metrics.jsonl" "$T/b/metrics.jsonl" &&
	cmp -s "$T/a/pbt.jsonl" "$T/b/pbt.jsonl"; then
	pass "pbt: same seed, same metrics and events"
else
	fail "pbt: same seed, same metrics and events" "$(cat "$T/a.err")"
fi

if [ "$(grep -c '"worker": 3, "kind": "train"' "$T/a/metrics.jsonl")" -eq 9 ] &&
	[ "$(grep -c '"kind": "train"' "$T/a/metrics.jsonl")" -eq 36 ]; then
	pass "pbt: every worker's metrics lines, tagged"
else
	fail "pbt: every worker's metrics lines, tagged" "$(head -3 "$T/a/metrics.jsonl")"
fi

# Resume after a planned stop at iteration 20: the same run.  The first
# session's wall time is made 1000 s (timing.json): summary.json must
# count it, and iter_per_s must be iterations / wall time.
run c --set trainer.max_iter=20
c1_ok=0
grep -q '^{"wall_s": [0-9.]*}$' "$T/c/timing.json" && c1_ok=1
echo '{"wall_s": 1000.000000}' > "$T/c/timing.json"
$EVOJAX train --resume "$T/c" --set trainer.max_iter=41 --quiet >/dev/null 2>"$T/c2.err"
if [ $c1_ok -eq 1 ] && /usr/bin/python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
w, it = s["wall_time_s"], s["iterations"]
assert 1000 < w < 1300 and it == 41, (w, it)
assert abs(s["iter_per_s"] - it / w) < 1e-3, s["iter_per_s"]
' "$T/c/summary.json" 2>"$T/c2.py"; then
	pass "pbt: summary.json counts the wall time of every session"
else
	fail "pbt: summary.json counts the wall time of every session" \
		"$(cat "$T/c2.py")" "$(cat "$T/c/summary.json" 2>/dev/null | head -12)"
fi
same=1
for f in metrics.jsonl pbt.jsonl worker_0/final.npz worker_3/final.npz best.npz; do
	cmp -s "$T/a/$f" "$T/c/$f" || { same=0; echo "# differs: $f"; }
done
if [ $same -eq 1 ]; then
	pass "pbt: resumed run equals an uninterrupted one"
else
	fail "pbt: resumed run equals an uninterrupted one" "$(cat "$T/c2.err")"
fi

# SIGINT: every worker and the driver checkpoint, exit 130; resume.
$EVOJAX train $C $S --set pbt.workers=4 --set trainer.max_iter=41 --quiet --out "$T/i" >/dev/null 2>"$T/i.err" &
pid=$!
k=0
while ! grep -q '"iter": 5' "$T/i/metrics.jsonl" 2>/dev/null && [ $k -lt 600 ]; do
	sleep 0.02; k=$((k + 1))
done
kill -INT $pid
wait $pid
rc=$?
$EVOJAX train --resume "$T/i" --quiet >/dev/null 2>"$T/i2.err"
if [ $rc -eq 130 ] && grep -q 'interrupted at iteration' "$T/i.err" &&
	cmp -s "$T/a/metrics.jsonl" "$T/i/metrics.jsonl" &&
	cmp -s "$T/a/pbt.jsonl" "$T/i/pbt.jsonl"; then
	pass "pbt: SIGINT, then --resume: the uninterrupted run's metrics"
else
	fail "pbt: SIGINT, then --resume: the uninterrupted run's metrics" "rc $rc" \
		"$(cat "$T/i.err" "$T/i2.err")"
fi

# Exploit at iteration 40 (the last measurement): the copy's algorithm
# state equals its source's (the checkpoints after the run), its
# hyperparameters are the source's times an allowed factor.
if $PY - "$T/a" <<'EOF'
import json, sys, numpy as np
d = sys.argv[1]
ev = [json.loads(l) for l in open(d + "/pbt.jsonl")]
cp = [e for e in ev if e["event"] == "exploit" and e["iter"] == 40]
assert cp, "no exploit at 40"
for e in cp:
    a = np.load("%s/worker_%d/checkpoint.npz" % (d, e["from"]))
    b = np.load("%s/worker_%d/checkpoint.npz" % (d, e["to"]))
    for k in ("center", "stdev", "optim_m", "optim_v", "iteration"):
        assert np.array_equal(a[k], b[k]), k
for e in ev:
    if e["event"] == "explore":
        r = e["new"] / e["old"]
        assert min(abs(r - f) for f in (0.5, 0.8, 1.25, 2.0)) < 1e-6, e
        assert e["how"] == "factor %g" % r, e
EOF
then pass "pbt: exploit copies the state, explore uses the allowed factors"
else fail "pbt: exploit copies the state, explore uses the allowed factors"
fi

run r --set trainer.max_iter=21 --set pbt.method=random
if [ -s "$T/r/summary.json" ] && ! grep -q '"exploit"' "$T/r/pbt.jsonl" &&
	grep -q '"best_worker"' "$T/r/summary.json" && [ -s "$T/r/best.npz" ]; then
	pass "pbt: random search runs independent workers"
else
	fail "pbt: random search runs independent workers" "$(cat "$T/r.err")"
fi

# Bad sections: exit 2, located.
printf 'task: {name: cartpole}\npolicy: {name: mlp}\nalgo: {name: pgpe}\npbt:\n  hparams:\n    algo.pop_size: {init: uniform, range: [1, 2]}\n' >"$T/k.yaml"
expect "pbt: a key that is no float of the algorithm" 2 "$T/k.yaml:6:20: algorithm 'pgpe' has no float key 'pop_size' to tune (run-time: center_lr, stdev_lr)" -- \
	$EVOJAX validate "$T/k.yaml"
printf 'task: {name: cartpole}\npolicy: {name: mlp}\nalgo: {name: pgpe}\npbt:\n  hparams:\n    trainer.max_iter: {init: uniform, range: [1, 2]}\n' >"$T/t.yaml"
expect "pbt: a key outside algo" 2 "$T/t.yaml:6:23: cannot tune 'trainer.max_iter'" -- \
	$EVOJAX validate "$T/t.yaml"
printf 'task: {name: cartpole}\npolicy: {name: mlp}\nalgo: {name: pgpe}\npbt:\n  workers: 1\n  hparams:\n    algo.center_lr: {range: [0.01, 0.1]}\n' >"$T/w.yaml"
expect "pbt: one worker" 2 "$T/w.yaml:5:12: 'workers' must be an integer in [2, 1024], got '1'" -- \
	$EVOJAX validate "$T/w.yaml"
printf 'task: {name: cartpole}\npolicy: {name: mlp}\nalgo: {name: pgpe}\npbt:\n  eval_interval: 10\n  ready: 15\n  hparams:\n    algo.center_lr: {range: [0.01, 0.1]}\n' >"$T/r.yaml"
expect "pbt: ready not a multiple of eval_interval" 2 "$T/r.yaml:6:10: 'ready' (15) must be a multiple of 'eval_interval' (10)" -- \
	$EVOJAX validate "$T/r.yaml"
printf 'task: {name: cartpole}\npolicy: {name: mlp}\nalgo: {name: pgpe}\npbt:\n  hparams:\n    algo.center_lr: {range: [0.1, 0.01]}\n' >"$T/g.yaml"
expect "pbt: an empty range" 2 "$T/g.yaml:6:29: 'algo.center_lr' needs 'range: [low, high]' with low < high" -- \
	$EVOJAX validate "$T/g.yaml"
printf 'task: {name: cartpole}\npolicy: {name: mlp}\nalgo: {name: pgpe}\npbt:\n  workers: 4\n' >"$T/h.yaml"
expect "pbt: no hparams" 2 "$T/h.yaml:5:3: 'pbt' needs 'hparams'" -- \
	$EVOJAX validate "$T/h.yaml"
# An init-time key: each worker starts with its own value (its
# config.yaml says so), explore leaves it; out-of-bounds draws refused.
printf 'task: {name: cartpole, max_steps: 50}\npolicy: {name: mlp, hidden: [4]}\nalgo: {name: pgpe, pop_size: 8}\ntrainer: {max_iter: 9, test_interval: 2, n_evaluations: 2, n_repeats: 2}\npbt:\n  workers: 3\n  hparams:\n    algo.init_stdev: {init: loguniform, range: [0.01, 1.0]}\n    algo.center_lr: {range: [0.01, 0.1]}\n' >"$T/is.yaml"
$EVOJAX train "$T/is.yaml" --quiet --out "$T/is" >/dev/null 2>"$T/is.err"
if $PY - "$T/is" <<'EOF2'
import json, sys
d = sys.argv[1]
ev = [json.loads(l) for l in open(d + "/pbt.jsonl")]
init = {e["worker"]: e["hparams"]["init_stdev"] for e in ev if e["event"] == "init"}
assert len(set(init.values())) == 3
for w, v in init.items():
    line = [l for l in open("%s/worker_%d/config.yaml" % (d, w)) if l.startswith("  init_stdev:")][0]
    assert abs(float(line.split()[1]) - v) <= 1e-8 * v, (line, v)
assert all(e["key"] != "init_stdev" for e in ev if e["event"] == "explore")
assert any(e["event"] == "explore" for e in ev)
EOF2
then pass "pbt: an init-time key per worker, not explored"
else fail "pbt: an init-time key per worker, not explored" "$(cat "$T/is.err")"
fi
sed 's/{init: loguniform, range: \[0.01, 1.0\]}/{init: uniform, range: [-1, 1]}/' "$T/is.yaml" >"$T/ib.yaml"
expect "pbt: an init-time key drawn outside its bounds" 2 "$T/ib.yaml:8:22: 'algo.init_stdev' draws values in [-1, 1], outside its bounds [0, inf]" -- \
	$EVOJAX validate "$T/ib.yaml"
# Optimizer and schedule keys, set per worker at creation.
printf 'task: {name: cartpole, max_steps: 50}\npolicy: {name: mlp, hidden: [4]}\nalgo: {name: pgpe, pop_size: 8}\noptimizer: {name: adam}\nschedule: {center_lr: {profile: rex}}\ntrainer: {max_iter: 5, test_interval: 2, n_evaluations: 2, n_repeats: 2}\npbt:\n  method: random\n  workers: 3\n  hparams:\n    optimizer.beta1: {init: uniform, range: [0.8, 0.95]}\n    schedule.center_lr.warmup: {init: choice, values: [0, 0.1, 0.2]}\n' >"$T/os.yaml"
$EVOJAX train "$T/os.yaml" --quiet --out "$T/os" >/dev/null 2>"$T/os.err"
if $PY - "$T/os" <<'EOF2'
import json, sys
d = sys.argv[1]
for e in (json.loads(l) for l in open(d + "/pbt.jsonl")):
    if e["event"] != "init":
        continue
    cfg = open("%s/worker_%d/config.yaml" % (d, e["worker"])).read().split("\n")
    b = [l for l in cfg if l.startswith("  beta1:")][0]
    w = [l for l in cfg if l.startswith("    warmup:")][0]
    assert abs(float(b.split()[1]) - e["hparams"]["optimizer.beta1"]) < 1e-8, b
    assert float(w.split()[1]) == e["hparams"]["schedule.center_lr.warmup"], w
EOF2
then pass "pbt: optimizer and schedule keys per worker"
else fail "pbt: optimizer and schedule keys per worker" "$(cat "$T/os.err")"
fi
sed 's/optimizer.beta1/optimizer.nokey/' "$T/os.yaml" >"$T/o1.yaml"
expect "pbt: an unknown optimizer key" 2 "$T/o1.yaml:11:22: the optimizer has no float key 'nokey' to tune" -- \
	$EVOJAX validate "$T/o1.yaml"
sed 's/schedule.center_lr.warmup/schedule.stdev_lr.warmup/' "$T/os.yaml" >"$T/o2.yaml"
expect "pbt: a schedule the config lacks" 2 "$T/o2.yaml:12:31: cannot tune 'schedule.stdev_lr.warmup': no such float key of a schedule of the 'schedule' section" -- \
	$EVOJAX validate "$T/o2.yaml"
sed 's/range: \[0.8, 0.95\]/range: [0.8, 1.5]/' "$T/os.yaml" >"$T/o3.yaml"
expect "pbt: an optimizer key drawn outside its bounds" 2 "$T/o3.yaml:11:22: 'optimizer.beta1' draws values in [0.8, 1.5], outside its bounds [0, 1]" -- \
	$EVOJAX validate "$T/o3.yaml"

# FIRE PBT: sub-populations and evaluators, deterministic, resumable.
F=configs/pbt/cartpole_fire.yaml
FS="--set pbt.eval_interval=5 --set pbt.ready=10 --set pbt.max_eval_steps=30"
# shellcheck disable=SC2086
frun() { d=$1; shift; $EVOJAX train $F $S $FS --quiet --out "$T/$d" "$@" >/dev/null 2>"$T/$d.err"; }
frun f1 --set trainer.max_iter=61
frun f2 --set trainer.max_iter=30
$EVOJAX train --resume "$T/f2" --set trainer.max_iter=61 --quiet >/dev/null 2>"$T/f2r.err"
if grep -q '"event": "assign"' "$T/f1/pbt.jsonl" && grep -q '"event": "release"' "$T/f1/pbt.jsonl" &&
	cmp -s "$T/f1/metrics.jsonl" "$T/f2/metrics.jsonl" &&
	cmp -s "$T/f1/pbt.jsonl" "$T/f2/pbt.jsonl" && cmp -s "$T/f1/best.npz" "$T/f2/best.npz"; then
	pass "fire: evaluators assigned and released; resumed run equals an uninterrupted one"
else
	fail "fire: evaluators assigned and released; resumed run equals an uninterrupted one" \
		"$(cat "$T/f1.err" "$T/f2r.err")"
fi
# An evaluator copies its parent's weights and its target's hyperparameters.
if $PY - "$T/f1" <<'EOF2'
import json, sys
d = sys.argv[1]
ev = [json.loads(l) for l in open(d + "/pbt.jsonl")]
hp = {e["worker"]: e["hparams"] for e in ev if e["event"] == "init"}
n = 0
for e in ev:
    if e["event"] == "explore":
        hp[e["worker"]][e["key"]] = e["new"]
    elif e["event"] == "exploit":
        hp[e["to"]] = dict(hp[e["from"]])
    elif e["event"] == "assign":
        assert e["parent"] in (3, 4, 5) and e["target"] in (0, 1, 2), e
        hp[e["evaluator"]] = dict(hp[e["target"]])
        n += 1
assert n > 0
EOF2
then pass "fire: assignments take a parent of P2 and a target of P1"
else fail "fire: assignments take a parent of P2 and a target of P1"
fi
# A stop by the rules of section 3.2 is recorded with its statistics (a
# "stop" event: p, best_score_diff, overlap, k, n, steps), then released.
frun f3 --set trainer.max_iter=41 --set pbt.max_eval_steps=10
if $PY - "$T/f3" <<'EOF2'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1] + "/pbt.jsonl")]
n = 0
for i, e in enumerate(ev):
    if e["event"] == "release" and e["why"].startswith("stop"):
        s = ev[i - 1]
        assert s["event"] == "stop", s
        for k in ("iter", "evaluator", "parent", "target"):
            assert s[k] == e[k], (s, e)
        assert 0 <= s["p"] <= 1 and isinstance(s["overlap"], bool), s
        assert s["best_score_diff"] is None or isinstance(s["best_score_diff"], (int, float)), s
        assert s["steps"] > 10 or (s["overlap"] and s["p"] > 0.01), s
        want = "stop (p %.3g, %s, %d iterations)" % (
            s["p"], "overlap" if s["overlap"] else "no overlap", s["steps"])
        assert e["why"] == want, (e["why"], want)
        n += 1
    elif e["event"] == "stop":
        assert ev[i + 1]["event"] == "release", ev[i + 1]
assert n > 0, "no stop"
print(n)
EOF2
then pass "fire: every stop is recorded with p, best_score_diff and overlap, then released"
else fail "fire: every stop is recorded with p, best_score_diff and overlap, then released" "$(cat "$T/f3.err")"
fi
printf 'task: {name: cartpole}\npolicy: {name: mlp}\nalgo: {name: pgpe}\npbt:\n  method: fire\n  subpop_size: 1\n  hparams:\n    algo.center_lr: {range: [0.01, 0.1]}\n' >"$T/f1.yaml"
expect "fire: a sub-population of size 1" 2 "$T/f1.yaml:6:16: 'subpop_size' must be an integer in [2, 1024], got '1'" -- \
	$EVOJAX validate "$T/f1.yaml"
printf 'task: {name: cartpole}\npolicy: {name: mlp}\nalgo: {name: pgpe}\npbt:\n  method: fire\n  subpops: 1\n  hparams:\n    algo.center_lr: {range: [0.01, 0.1]}\n' >"$T/f2.yaml"
expect "fire: evaluators without a parent sub-population" 2 "$T/f2.yaml:6:12: 'subpops' must be an integer in [2, 64], got '1'" -- \
	$EVOJAX validate "$T/f2.yaml"
printf 'task: {name: cartpole}\npolicy: {name: mlp}\nalgo: {name: pgpe}\npbt:\n  method: fire\n  evaluators: 0\n  hparams:\n    algo.center_lr: {range: [0.01, 0.1]}\n' >"$T/f3.yaml"
expect "fire: no evaluator" 2 "$T/f3.yaml:6:15: FIRE PBT needs at least one evaluator for its 4 parent members" -- \
	$EVOJAX validate "$T/f3.yaml"
printf 'task: {name: cartpole}\npolicy: {name: mlp}\nalgo: {name: pgpe}\npbt:\n  method: fire\n  workers: 5\n  hparams:\n    algo.center_lr: {range: [0.01, 0.1]}\n' >"$T/f4.yaml"
expect "fire: inconsistent workers" 2 "$T/f4.yaml:6:12: 'workers' (5) must be subpops x subpop_size + evaluators = 11 (or left out)" -- \
	$EVOJAX validate "$T/f4.yaml"
# examples/pbt_compare.sh end to end at smoke size: both tables hold the
# four methods and each seed's scores; the re-scored table equals
# `evojax test` on the runs' best.npz; a second call keeps every finished
# run and prints the same.
SEEDS="1 2" ITERS=4 EVAL=2 READY=2 RESCORE=8 EXTRA=--smoke EVOJAX=$EVOJAX \
	sh examples/pbt_compare.sh "$T/pc" >"$T/pc1" 2>"$T/pc.err"
rc1=$?
SEEDS="1 2" ITERS=4 EVAL=2 READY=2 RESCORE=8 EXTRA=--smoke EVOJAX=$EVOJAX \
	sh examples/pbt_compare.sh "$T/pc" >"$T/pc2" 2>>"$T/pc.err"
rc2=$?
$EVOJAX test "$T/pc/fire-2/config.yaml" --params "$T/pc/fire-2/best.npz" \
	--seed 100 --smoke --set trainer.n_evaluations=8 >"$T/pc.t" 2>>"$T/pc.err"
if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && cmp -s "$T/pc1" "$T/pc2" &&
	$PY - "$T/pc1" "$T/pc.t" <<'EOF2'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
rows = [l for l in lines if l.startswith("| ") and not l.startswith("| method")]
assert len(rows) == 8, rows
for r in rows:
    assert len(r.strip("|").split("|")) == 5, r
fire = [r for r in rows[4:] if r.startswith("| fire |")][0]
want = json.load(open(sys.argv[2]))["avg"]
assert "%.1f" % want == fire.split("|")[3].strip(), (fire, want)
EOF2
then pass "examples/pbt_compare.sh: both tables, re-scored = evojax test, rerun keeps the runs"
else fail "examples/pbt_compare.sh: both tables, re-scored = evojax test, rerun keeps the runs" \
	"exit $rc1 / $rc2" "$(cat "$T/pc1" "$T/pc.err" | head -40)"
fi
done_testing
