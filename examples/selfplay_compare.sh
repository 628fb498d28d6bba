#!/bin/sh
# selfplay_compare.sh - does self-play beat training against the baseline
# on the same budget, with the baseline score as the yardstick?  Trains
# SlimeVolley both ways (configs/slimevolley.yaml: members play
# slimevolleygym's built-in baseline; configs/slimevolley_selfplay.yaml:
# members play each other) with the same population, repeats, iterations
# and seeds, and tests both against the baseline (score = points won minus
# points lost in a game to 5 lives, in [-5, 5]; 0 = as good as the
# baseline).  Prints the final and best test scores per seed (mean +- std
# over seeds) and the mean test curve.
#
#   examples/selfplay_compare.sh [OUTDIR]
#
# Environment: EVOJAX (default ./evojax), SEEDS (default "1 2 3"), ITERS
# (iterations per run, default 200), POP (population, default 64),
# REPEATS (episodes per member and iteration, default 8), TESTS (test
# games per test, default 128), TEST_INTERVAL (default 25), EXTRA (more
# flags for every run, e.g. "--smoke").  The shipped configs' budget
# (POP=128 REPEATS=16 ITERS=6000) takes hours per run on a few CPU cores.
# Runs already finished (summary.json present) are not run again.
set -eu
OUT=${1:-runs/selfplay_compare}
EVOJAX=${EVOJAX:-./evojax}
SEEDS=${SEEDS:-1 2 3}
ITERS=${ITERS:-200}
POP=${POP:-64}
REPEATS=${REPEATS:-8}
TESTS=${TESTS:-128}
TEST_INTERVAL=${TEST_INTERVAL:-25}
EXTRA=${EXTRA:-}
COMMON="--set algo.pop_size=$POP --set trainer.n_repeats=$REPEATS
	--set trainer.max_iter=$ITERS --set trainer.n_evaluations=$TESTS
	--set trainer.test_interval=$TEST_INTERVAL --set trainer.log_interval=25"

mkdir -p "$OUT"
for seed in $SEEDS; do
	for m in baseline selfplay; do
		d="$OUT/$m-$seed"
		[ -s "$d/summary.json" ] && continue
		rm -rf "$d"
		cfg=configs/slimevolley.yaml
		[ "$m" = selfplay ] && cfg=configs/slimevolley_selfplay.yaml
		# shellcheck disable=SC2086
		$EVOJAX train "$cfg" $COMMON --seed "$seed" --quiet --out "$d" \
			$EXTRA >/dev/null
	done
done
python3 - "$OUT" "$SEEDS" <<'PY'
import json, math, sys
out, seeds = sys.argv[1], sys.argv[2].split()
names = {"baseline": "vs the baseline (EvoJAX)", "selfplay": "self-play"}

def ms(x):
    mu = sum(x) / len(x)
    sd = math.sqrt(sum((v - mu) ** 2 for v in x) / max(1, len(x) - 1))
    return "%+.2f +- %.2f" % (mu, sd)

print("| training | final test score, seeds %s | mean +- std | best test score, mean +- std | wall s (mean) |"
      % ", ".join(seeds))
print("|---|---|---|---|---|")
curves = {}
for m in ("baseline", "selfplay"):
    fin, best, wall = [], [], []
    for s in seeds:
        d = "%s/%s-%s" % (out, m, s)
        j = json.load(open(d + "/summary.json"))
        fin.append(j["final_test_score"])
        best.append(j["best_test_score"])
        wall.append(j["wall_time_s"])
        for line in open(d + "/metrics.jsonl"):
            r = json.loads(line)
            if r.get("kind") == "test":
                curves.setdefault(m, {}).setdefault(r["iter"], []).append(r["avg"])
    print("| %s | %s | %s | %s | %.0f |" % (
        names[m], ", ".join("%+.2f" % v for v in fin), ms(fin), ms(best),
        sum(wall) / len(wall)))
print()
print("mean test score over seeds by iteration (vs the baseline):")
iters = sorted(set(curves.get("baseline", {})) | set(curves.get("selfplay", {})))
print("| iteration | " + " | ".join("%d" % i for i in iters) + " |")
print("|---|" + "---|" * len(iters))
for m in ("baseline", "selfplay"):
    c = curves.get(m, {})
    print("| %s | %s |" % (names[m], " | ".join(
        "%+.2f" % (sum(c[i]) / len(c[i])) if i in c else "" for i in iters)))
PY
