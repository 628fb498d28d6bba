#!/bin/sh
# refactor_check.sh - a refactor changes no result: run the shipped configs
# with one evojax binary and keep their metrics.jsonl, so two builds (the
# commit a change starts from and the change) can be compared byte for byte.
#
#   sh tests/refactor_check.sh BIN OUTDIR        write OUTDIR/<name>.jsonl
#   sh tests/refactor_check.sh --diff DIR1 DIR2  compare two such folders
#
# The set (Core v2 issue): cartpole easy 200 iterations (and 40 with
# observation normalization, its final.npz too); --smoke of
# cartpole hard, every configs/algos/*/cartpole_easy.yaml but ars (its
# top_k does not survive the smoke population), fashion_mnist,
# fashion_mnist_mlp, seq2seq and slimevolley (its smoke, and 4 iterations
# of 300-step episodes with pop 16 and normalized observations).  Not part
# of make test (minutes of CPU).
set -u
if [ "${1:-}" = "--diff" ]; then
	rc=0
	for f in "$2"/*.jsonl "$2"/*.npz; do
		n=$(basename "$f")
		if cmp -s "$f" "$3/$n"; then
			echo "same      $n ($(wc -c < "$f") bytes)"
		else
			echo "DIFFERENT $n"; rc=1
		fi
	done
	exit $rc
fi
bin=$1 out=$2
mkdir -p "$out"
tmp=$(mktemp -d)
run() { # name config args...
	name=$1 cfg=$2; shift 2
	if "$bin" train "$cfg" --quiet --out "$tmp/$name" "$@" >/dev/null 2>"$tmp/$name.err"; then
		cp "$tmp/$name/metrics.jsonl" "$out/$name.jsonl"
		cp "$tmp/$name/final.npz" "$out/$name.final.npz"
		echo "ran $name"
	else
		echo "FAILED $name:"; cat "$tmp/$name.err"; return 1
	fi
}
rc=0
run cartpole_easy_200 configs/cartpole_easy.yaml --set trainer.max_iter=200 || rc=1
run cartpole_hard_smoke configs/cartpole_hard.yaml --smoke || rc=1
run cartpole_easy_norm_40 configs/cartpole_easy.yaml --set trainer.max_iter=40 \
	--set trainer.test_interval=20 --set trainer.normalize_obs=true || rc=1
for c in configs/algos/*/cartpole_easy.yaml; do
	a=$(basename "$(dirname "$c")")
	[ "$a" = ars ] && continue
	run "algo_${a}_smoke" "$c" --smoke || rc=1
done
for c in fashion_mnist fashion_mnist_mlp seq2seq slimevolley; do
	run "${c}_smoke" "configs/$c.yaml" --smoke || rc=1
done
run slimevolley_norm_4 configs/slimevolley.yaml --set trainer.max_iter=4 \
	--set algo.pop_size=16 --set task.max_steps=300 \
	--set trainer.n_evaluations=8 --set trainer.test_interval=2 || rc=1
rm -rf "$tmp"
exit $rc
