#!/bin/sh
# schedule_sweep.sh - compare learning-rate schedules (REX paper's framework)
# with adam and radam on cartpole at 10%, 50% and 100% of the iteration
# budget, then print a table of final test scores from the summary.json
# files.  Plain shell over `evojax train --set ... --out ...`.
#
#   examples/schedule_sweep.sh [CONFIG] [OUTDIR]
#
# Environment: EVOJAX (binary, default ./evojax), BUDGET (full iteration
# budget, default 1000), SCHEDULES, OPTIMIZERS, FRACTIONS (space-separated),
# SEED (default 42), EXTRA (more evojax flags, e.g. "--smoke").
set -eu
CONFIG=${1:-configs/cartpole_easy.yaml}
OUT=${2:-runs/schedule_sweep}
EVOJAX=${EVOJAX:-./evojax}
BUDGET=${BUDGET:-1000}
SCHEDULES=${SCHEDULES:-constant linear cosine step rex}
OPTIMIZERS=${OPTIMIZERS:-adam radam}
FRACTIONS=${FRACTIONS:-10 50 100}
SEED=${SEED:-42}
EXTRA=${EXTRA:-}

mkdir -p "$OUT"
for pct in $FRACTIONS; do
	iters=$((BUDGET * pct / 100))
	[ "$iters" -ge 1 ] || iters=1
	test_interval=$((iters / 5))
	[ "$test_interval" -ge 1 ] || test_interval=1
	for opt in $OPTIMIZERS; do
		for sch in $SCHEDULES; do
			dir="$OUT/${sch}_${opt}_${pct}"
			if [ -f "$dir/summary.json" ]; then
				continue # already done: the sweep can be resumed
			fi
			echo "== $sch / $opt / ${pct}% ($iters iterations)" >&2
			# shellcheck disable=SC2086
			$EVOJAX train "$CONFIG" --quiet --seed "$SEED" --out "$dir" \
				--set "trainer.max_iter=$iters" \
				--set "trainer.test_interval=$test_interval" \
				--set "optimizer.name=$opt" \
				--set "schedule.center_lr=$sch" $EXTRA >/dev/null
		done
	done
done

# Table: one row per schedule x optimizer, one column per budget.
score() { sed -n 's/.*"final_test_score": \([-0-9.e+]*\).*/\1/p' "$1"; }
printf '%-10s %-6s' schedule optim
for pct in $FRACTIONS; do printf ' %9s' "${pct}%"; done
printf '\n'
for sch in $SCHEDULES; do
	for opt in $OPTIMIZERS; do
		printf '%-10s %-6s' "$sch" "$opt"
		for pct in $FRACTIONS; do
			f="$OUT/${sch}_${opt}_${pct}/summary.json"
			if [ -f "$f" ]; then printf ' %9.2f' "$(score "$f")"; else printf ' %9s' -; fi
		done
		printf '\n'
	done
done
