#!/bin/sh
# pbt_compare.sh - the FIRE PBT claim re-tested in neuroevolution: tune
# PGPE's center_lr and stdev_lr on CartPoleSwingUp (hard) with random
# search, PBT and FIRE PBT (8 workers each, one device launch per
# iteration for all of them), against one trainer with the best fixed
# schedule of examples/schedule_sweep.sh (REX on center_lr, adam), SEEDS
# seeds each; prints final test scores (mean +- std over seeds) and the
# center_lr schedule of each method's best lineage; then every run's
# best.npz re-scored on the same RESCORE test episodes (seed 100), which
# takes the test sets' differences out of the comparison.
#
#   examples/pbt_compare.sh [OUTDIR]
#
# Finished runs (summary.json) are kept; an interrupted one (Ctrl-C, a
# killed job) goes on from its checkpoint (--resume, bit-exact), so the
# same command run again completes the table.
#
# Environment: EVOJAX (default ./evojax), SEEDS (default "1 2 3"), ITERS
# (default 200), EVAL (iterations between measurements of Q, default 20),
# READY (between decisions, default 40), MAX_EVAL (FIRE's max_eval_steps,
# default 3 READY), RESCORE (common test episodes, default 2048), EXTRA
# (more flags for every run, e.g. "--smoke").
set -eu
OUT=${1:-runs/pbt_compare}
EVOJAX=${EVOJAX:-./evojax}
SEEDS=${SEEDS:-1 2 3}
ITERS=${ITERS:-200}
EVAL=${EVAL:-20}
READY=${READY:-40}
MAX_EVAL=${MAX_EVAL:-$((3 * READY))}
RESCORE=${RESCORE:-2048}
EXTRA=${EXTRA:-}
COMMON="--set task.hard=true --set algo.pop_size=32 --set trainer.n_repeats=8
	--set trainer.n_evaluations=32 --set trainer.max_iter=$ITERS
	--set trainer.test_interval=$EVAL --set trainer.log_interval=20"
PB="--set pbt.eval_interval=$EVAL --set pbt.ready=$READY"

mkdir -p "$OUT"
for seed in $SEEDS; do
	for m in random pbt fire; do
		d="$OUT/$m-$seed"
		[ -s "$d/summary.json" ] && continue
		if [ -s "$d/pbt_state.npz" ]; then # interrupted: go on
			$EVOJAX train --resume "$d" --quiet >/dev/null
			continue
		fi
		rm -rf "$d" # stopped before its first checkpoint
		# shellcheck disable=SC2086
		$EVOJAX train configs/pbt/cartpole_$m.yaml $COMMON $PB \
			--set pbt.max_eval_steps=$MAX_EVAL --seed "$seed" --quiet \
			--out "$d" $EXTRA >/dev/null
	done
	d="$OUT/rex-$seed"
	[ -s "$d/summary.json" ] && continue
	rm -rf "$d" # 1 trainer, a minute: start again
	# shellcheck disable=SC2086
	$EVOJAX train configs/cartpole_easy.yaml $COMMON \
		--set 'schedule.center_lr={profile: rex}' --seed "$seed" \
		--quiet --out "$d" $EXTRA >/dev/null
done
# Every run's best.npz on the same RESCORE episodes (kept once measured).
for seed in $SEEDS; do
	for m in random pbt fire rex; do
		d="$OUT/$m-$seed"
		[ -s "$d/common_test.json" ] && continue
		# shellcheck disable=SC2086
		$EVOJAX test "$d/config.yaml" --params "$d/best.npz" --seed 100 \
			--set trainer.n_evaluations=$RESCORE --scores $EXTRA \
			>"$d/common_test.json.tmp" && mv "$d/common_test.json.tmp" "$d/common_test.json"
	done
done
# The table: method, final test score of each seed's best worker (the
# fixed schedule: its one run), mean and std; then the best lineages.
python3 - "$OUT" "$SEEDS" <<'PY'
import json, math, sys
out, seeds = sys.argv[1], sys.argv[2].split()

def ms(v):  # mean and sample standard deviation
    mu = sum(v) / len(v)
    return mu, math.sqrt(sum((a - mu) ** 2 for a in v) / max(1, len(v) - 1))

def header(last):
    print("| method | " + " | ".join("seed %s" % s for s in seeds) + " | mean +- std | %s |" % last)
    print("|---|" + "---|" * len(seeds) + "---|---|")

def load(m, s, name):
    return json.load(open("%s/%s-%s/%s" % (out, m, s, name)))

header("wall (s, mean)")
for m in ("random", "pbt", "fire", "rex"):
    runs = [load(m, s, "summary.json") for s in seeds]
    sc = [j["final_test_score"] for j in runs]
    wall = [j["wall_time_s"] for j in runs]
    print("| %s | %s | %.1f +- %.1f | %.0f |" % (
        m if m != "rex" else "fixed REX schedule (1 trainer)",
        " | ".join("%.1f" % x for x in sc), *ms(sc), sum(wall) / len(wall)))
print()
for m in ("random", "pbt", "fire"):
    for s in seeds:
        j = load(m, s, "summary.json")
        steps = ", ".join("%d: %.4g" % (g["iter"], g["center_lr"]) for g in j["schedule"])
        print("%s seed %s, best worker %d, center_lr from iteration: %s" % (m, s, j["best_worker"], steps))
print()
header("mean over the starts kept (>= 200)")
for m in ("random", "pbt", "fire", "rex"):
    sc, kept = [], []
    for s in seeds:
        x = [v for v in load(m, s, "common_test.json")["scores"] if v is not None]
        k = [v for v in x if v >= 200]
        sc.append(sum(x) / len(x))
        kept.append(sum(k) / len(k) if k else float("nan"))
    print("| %s | %s | %.1f +- %.1f | %.1f +- %.1f |" % (
        m if m != "rex" else "fixed REX schedule",
        " | ".join("%.1f" % v for v in sc), *ms(sc), *ms(kept)))
PY
