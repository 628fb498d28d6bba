#!/bin/sh
# Image classification (task 'mnist') on a tiny IDX data set generated here:
# 4x4 images, class 0 bright on top, class 1 bright at the bottom.
. tests/cli_lib.sh

# be32 N: four big-endian bytes as octal escapes for printf.
be32() { printf '\\%03o\\%03o\\%03o\\%03o' $(($1 >> 24 & 255)) $(($1 >> 16 & 255)) $(($1 >> 8 & 255)) $(($1 & 255)); }
# idx SET N [NLABELS]: write SET-images-idx3-ubyte (N images) and
# SET-labels-idx1-ubyte (NLABELS labels, default N).
idx() {
	img="$T/data/$1-images-idx3-ubyte"
	lab="$T/data/$1-labels-idx1-ubyte"
	nl=${3:-$2}
	printf "\\000\\000\\010\\003$(be32 "$2")$(be32 4)$(be32 4)" >"$img"
	printf "\\000\\000\\010\\001$(be32 "$nl")" >"$lab"
	i=0
	while [ $i -lt "$2" ]; do
		c=$((i % 2))
		jitter=$(((i * 37) % 50))
		if [ $c -eq 0 ]; then hi=$((200 + jitter)); lo=$jitter; else hi=$jitter; lo=$((200 + jitter)); fi
		px=$(printf '\\%03o' $hi)
		pl=$(printf '\\%03o' $lo)
		printf "$px$px$px$px$px$px$px$px$pl$pl$pl$pl$pl$pl$pl$pl" >>"$img"
		[ $i -lt "$nl" ] && printf "$(printf '\\%03o' $c)" >>"$lab"
		i=$((i + 1))
	done
}
mkdir -p "$T/data"
idx train 96
idx t10k 40
gzip -k "$T/data/t10k-images-idx3-ubyte" && rm "$T/data/t10k-images-idx3-ubyte"

cat >"$T/m.yaml" <<YAML
seed: 1
task:
  name: mnist
  data_dir: $T/data
  batch_size: 32
policy:
  name: mlp
  hidden: [4]
  output: linear
algo:
  name: pgpe
  pop_size: 16
  center_lr: 0.05
  init_stdev: 0.1
trainer:
  max_iter: 30
  log_interval: 10
  test_interval: 10
YAML
expect "mnist task trains on a tiny IDX set" 0 "" -- $EVOJAX train "$T/m.yaml" --quiet --out "$T/m"
# Chance is 0.5; the classes are separable: accuracy >= 0.9 in 30 iterations.
if awk -F'"avg": ' '/"final": true/ { split($2, a, ","); v = a[1] + 0; found = 1 } END { exit !(found && v >= 0.9) }' "$T/m/metrics.jsonl"; then
	pass "test accuracy >= 0.9 (chance 0.5)"
else
	fail "test accuracy >= 0.9 (chance 0.5)" "$(grep '"test"' "$T/m/metrics.jsonl")"
fi
# Train fitness is a mean log-likelihood: <= 0, and it improves.
first=$(sed -n 's/.*"iter": 0, .*"avg": \([-0-9.e]*\).*/\1/p' "$T/m/metrics.jsonl")
last=$(sed -n 's/.*"iter": 20, .*"avg": \([-0-9.e]*\).*/\1/p' "$T/m/metrics.jsonl" | head -1)
if awk -v a="$first" -v b="$last" 'BEGIN { exit !(a != "" && b != "" && a <= 0 && b <= 0 && b > a) }'; then
	pass "mean log p(label) rises ($first -> $last)"
else
	fail "mean log p(label) rises ($first -> $last)"
fi
expect "evojax test on saved params" 0 "" -- $EVOJAX test "$T/m.yaml" --params "$T/m/best.npz"

# The ConvNet policy on the same data (4x4 -> conv 3x3 x4, pool -> 2x2 ->
# conv x4, pool -> 1x1 -> dense 2).
sed -e 's/  name: mlp/  name: convnet/' -e 's/  hidden: \[4\]/  channels: [4, 4]/' \
	-e 's/  output: linear/  kernel: 3/' "$T/m.yaml" >"$T/c.yaml"
expect "convnet trains" 0 "" -- $EVOJAX train "$T/c.yaml" --quiet --out "$T/c"
if awk -F'"avg": ' '/"final": true/ { split($2, a, ","); v = a[1] + 0; found = 1 } END { exit !(found && v >= 0.9) }' "$T/c/metrics.jsonl"; then
	pass "convnet test accuracy >= 0.9 (chance 0.5)"
else
	fail "convnet test accuracy >= 0.9 (chance 0.5)" "$(grep '"test"' "$T/c/metrics.jsonl")"
fi
# Channels in whole float8 groups take the fused one-kernel path
# (policies/convnet.cl): the same data, the same bar.
sed -e 's/  channels: \[4, 4\]/  channels: [8, 16]/' "$T/c.yaml" >"$T/f.yaml"
expect "fused convnet trains" 0 "" -- $EVOJAX train "$T/f.yaml" --quiet --out "$T/f"
if awk -F'"avg": ' '/"final": true/ { split($2, a, ","); v = a[1] + 0; found = 1 } END { exit !(found && v >= 0.9) }' "$T/f/metrics.jsonl"; then
	pass "fused convnet test accuracy >= 0.9 (chance 0.5)"
else
	fail "fused convnet test accuracy >= 0.9 (chance 0.5)" "$(grep '"test"' "$T/f/metrics.jsonl")"
fi
# configs/mnist.yaml pointed at a user's own IDX directory.
expect "configs/mnist.yaml on a user's data directory" 0 "" -- \
	$EVOJAX train configs/mnist.yaml --smoke --quiet --set "task.data_dir=$T/data" \
	--set task.batch_size=32 --out "$T/u"
expect "configs/mnist.yaml without data says where it looked" 1 \
	"cannot open dataset directory './data/mnist'" -- \
	$EVOJAX train configs/mnist.yaml --smoke --quiet --out "$T/x"
expect "convnet cannot drive cartpole" 2 "policy 'convnet' cannot drive task 'cartpole'" -- \
	$EVOJAX validate configs/cartpole_easy.yaml --set policy.name=convnet --set policy.hidden= --set policy.output=

expect "missing data directory" 1 "cannot open dataset directory '$T/none'" -- \
	$EVOJAX train "$T/m.yaml" --quiet --set "task.data_dir=$T/none" --out "$T/x"
expect "batch larger than the training set" 2 "'batch_size' 500 is larger than the training set (96 images)" -- \
	$EVOJAX train "$T/m.yaml" --quiet --set task.batch_size=500 --out "$T/x"
idx train 96 92
expect "label/image count mismatch" 1 "has 92 labels but" -- \
	$EVOJAX train "$T/m.yaml" --quiet --out "$T/x"
done_testing
