#!/bin/sh
# Config and usage errors: exact messages with file:line:col, exit code 2.
. tests/cli_lib.sh
C=configs/cartpole_easy.yaml

printf 'seed: 1\ntask:\n  name: cartpole\n  max_steps: [1\n' >"$T/malformed.yaml"
expect "malformed YAML" 2 "$T/malformed.yaml:5:1: invalid YAML: did not find expected ',' or ']'" -- \
	$EVOJAX validate "$T/malformed.yaml"

sed 's/  pop_size: 64/  pop_sise: 64/' $C >"$T/unknown.yaml"
expect "unknown key with hint" 2 "$T/unknown.yaml:17:3: unknown key 'pop_sise' in 'algo' (did you mean 'pop_size'?)" -- \
	$EVOJAX validate "$T/unknown.yaml"

sed 's/  pop_size: 64/  pop_size: lots/' $C >"$T/type.yaml"
expect "wrong type" 2 "$T/type.yaml:17:13: 'pop_size' must be an integer, got 'lots'" -- \
	$EVOJAX validate "$T/type.yaml"

sed 's/  pop_size: 64/  pop_size: 63/' $C >"$T/odd.yaml"
expect "odd population" 2 "$T/odd.yaml:17:13: 'pop_size' must be an even integer >= 2, got '63'" -- \
	$EVOJAX validate "$T/odd.yaml"

# A cross-section rule an algorithm declares (algo_ops.needs_obs_norm).
printf 'task: {name: cartpole}\npolicy: {name: mlp}\nalgo:\n  name: ars\n  version: v2\n' >"$T/arsv2.yaml"
expect "ars v2 needs normalize_obs" 2 "$T/arsv2.yaml:5:12: 'version: v2' of 'ars' needs 'trainer.normalize_obs: true'" -- \
	$EVOJAX validate "$T/arsv2.yaml"
expect "ars v2 with normalize_obs" 0 "" -- \
	$EVOJAX validate "$T/arsv2.yaml" --set trainer.normalize_obs=true

sed 's/  max_iter: 1000/  max_iter: 0/' $C >"$T/range.yaml"
expect "out of range" 2 "$T/range.yaml:26:13: 'max_iter' must be an integer in [1, 1000000000], got '0'" -- \
	$EVOJAX validate "$T/range.yaml"

sed 's/  hidden: \[64, 64\]/  hidden: [64, 0]/' $C >"$T/list.yaml"
expect "list item out of range" 2 "$T/list.yaml:12:16: 'hidden' must be a list of integers in [1, 4096], got '0' (item 2)" -- \
	$EVOJAX validate "$T/list.yaml"

sed 's/  name: pgpe/  name: pgp/' $C >"$T/algo.yaml"
expect "unknown algorithm" 2 "$T/algo.yaml:16:9: unknown algorithm 'pgp' (did you mean 'pgpe'?)" -- \
	$EVOJAX validate "$T/algo.yaml"

expect "missing file" 2 "cannot open config '$T/none.yaml'" -- $EVOJAX validate "$T/none.yaml"

expect "bad --set value" 2 "--set 'algo.pop_size=63': 'pop_size' must be an even integer >= 2, got '63'" -- \
	$EVOJAX validate $C --set algo.pop_size=63
expect "bad --set form" 2 "invalid --set 'algo.pop_size'" -- $EVOJAX validate $C --set algo.pop_size
expect "bad --set key" 2 "unknown key 'centre_lr' in 'algo' (did you mean 'center_lr'?)" -- \
	$EVOJAX validate $C --set algo.centre_lr=0.1
# An integer beyond int is out of range, with the bounds (not "odd").
expect "overflowing --set integer" 2 "--set 'algo.pop_size=99999999999999999999': 'pop_size' must be an even integer in [2, 2147483647], got '99999999999999999999'" -- \
	$EVOJAX validate $C --set algo.pop_size=99999999999999999999
# A --set value reads as in a file: a lone UTF-8 BOM is text, not null.
BOM=$(printf '\357\273\277')
sed "s/^seed: 42/seed: $BOM/" $C >"$T/bom.yaml"
expect "BOM value in a file" 2 "$T/bom.yaml:3:7: 'seed' must be an integer, got '$BOM'" -- \
	$EVOJAX validate "$T/bom.yaml"
expect "BOM value in --set, as in a file" 2 "--set 'seed=$BOM': 'seed' must be an integer, got '$BOM'" -- \
	$EVOJAX validate $C --set "seed=$BOM"
# Invalid lanes: a config error with its place, from validate on.
expect "bad --set lanes" 2 "--set 'device.lanes=3': 'lanes' must be one of 0, 1, 2, 4, 8, 16, got '3'" -- \
	$EVOJAX validate $C --set device.lanes=3
expect "bad lanes stop train" 2 "--set 'device.lanes=3': 'lanes' must be one of 0, 1, 2, 4, 8, 16, got '3'" -- \
	$EVOJAX train $C --smoke --quiet --set device.lanes=3 --out "$T/lanes"
# A 4000-byte path loses its middle, not the cause at the end.
long=$T
while [ ${#long} -lt 4000 ]; do long="$long/a-long-directory-name"; done
expect "very long path" 2 "cannot open config '$T/a-long-directory-name/" -- \
	$EVOJAX validate "$long/none.yaml"
if tail -n 1 "$T/err" | grep -q "/\.\.\./a-long-directory-name/.*/none\.yaml': No such file or directory\$" &&
	[ "$(wc -c <"$T/err")" -lt 2100 ]; then
	pass "very long path: the message ends with the strerror text"
else
	fail "very long path: the message ends with the strerror text" "$(tail -c 200 "$T/err")"
fi
expect "unknown optimizer" 2 "unknown optimizer 'adamm' (did you mean 'adam'?)" -- \
	$EVOJAX validate $C --set optimizer.name=adamm
expect "bad --seed" 2 "'seed' must be an integer" -- $EVOJAX validate $C --seed x
expect "unknown option" 2 "unknown option '--frobnicate'" -- $EVOJAX train $C --frobnicate
expect "missing config" 2 "missing CONFIG" -- $EVOJAX train
expect "unknown command" 2 "'trian' is not a command" -- $EVOJAX trian
expect "test needs --params" 2 "missing --params" -- $EVOJAX test $C

# validate prints the resolved config, which validates again unchanged.
$EVOJAX validate $C --set algo.pop_size=32 --set policy.hidden=[16,16] >"$T/resolved.yaml" 2>&1
if grep -q '^  pop_size: 32$' "$T/resolved.yaml" && grep -q '^  hidden: \[16, 16\]$' "$T/resolved.yaml" &&
	grep -q '^  stdev_max_change: 0.2$' "$T/resolved.yaml" &&
	$EVOJAX validate "$T/resolved.yaml" >"$T/resolved2.yaml" 2>&1 &&
	cmp -s "$T/resolved.yaml" "$T/resolved2.yaml"; then
	pass "validate prints a resolved config that round-trips"
else
	fail "validate prints a resolved config that round-trips" "$(head -c 400 "$T/resolved.yaml")"
fi

for c in train validate test list devices; do
	if $EVOJAX $c --help 2>&1 | grep -q "usage: evojax $c"; then pass "$c --help"; else fail "$c --help"; fi
done
if $EVOJAX --version | grep -Eq '^evojax [0-9]+\.[0-9]+\.[0-9]+$'; then pass "--version"; else fail "--version"; fi
if $EVOJAX list | grep -q '^  pgpe - ' && $EVOJAX list | grep -q 'center_lr' &&
	$EVOJAX list | grep -q '^  clipup - '; then pass "list shows algorithms and keys"; else fail "list shows algorithms and keys"; fi

# Every shipped config runs with --smoke (dependent keys such as ARS's
# top_k shrink with the smoke population); configs/mnist.yaml is for the
# user's own MNIST files: pointed at Fashion-MNIST, same format.
for c in $(find configs -name '*.yaml' | sort); do
	extra=
	[ "$c" = configs/mnist.yaml ] && extra="--set task.data_dir=/usr/share/datasets/fashion-mnist"
	# shellcheck disable=SC2086
	expect "smoke $c" 0 "" -- $EVOJAX train "$c" --smoke --quiet --out "$T/smoke_$(echo "$c" | tr / _)" $extra
done

# Files that are not data (issue 14, defect 2): a config or checkpoint
# that is /dev/zero, a FIFO as --params: refused at once, never read.
ln -s /dev/zero "$T/zero.yaml"
expect "a config that is /dev/zero" 2 "cannot read config '$T/zero.yaml': not a regular file" -- \
	timeout 20 $EVOJAX validate "$T/zero.yaml"
mkfifo "$T/fifo.npz"
expect "a FIFO as --params" 1 "cannot read '$T/fifo.npz': not a regular file" -- \
	timeout 20 $EVOJAX test configs/cartpole_easy.yaml --params "$T/fifo.npz"
$EVOJAX train configs/cartpole_easy.yaml --smoke --quiet --out "$T/z" >/dev/null 2>&1
rm -f "$T/z/checkpoint.npz" && ln -s /dev/zero "$T/z/checkpoint.npz"
expect "a checkpoint that is /dev/zero" 1 "not a regular file" -- \
	timeout 20 $EVOJAX train --resume "$T/z" --quiet
# A mapping of 200k keys (3 MB) loads in linear time (issue 14, defect 1:
# it took a minute at 100k keys): the duplicate at its end is found at once.
awk 'BEGIN { for (i = 0; i < 200000; i++) printf "k%d: %d\n", i, i; print "k77: 1" }' >"$T/big.yaml"
expect "200k-key mapping: linear load, duplicate located" 2 "$T/big.yaml:200001:1: duplicate key 'k77' (first at $T/big.yaml:78:1)" -- \
	timeout 10 $EVOJAX validate "$T/big.yaml"
done_testing
