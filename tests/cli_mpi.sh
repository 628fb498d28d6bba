#!/bin/sh
# MPI (core/ranks.h): `mpirun -np N evojax train` gives the files of a
# one-process run for N = 2, 3 (an uneven split), with devices split
# inside the ranks, for cartpole with normalize_obs, seq2seq, the image
# task, MAP-Elites and PBT; rank 0 alone writes; --resume with another
# N; a killed rank; more ranks than members.  Skipped when the build has
# no MPI.
. tests/cli_lib.sh
# Sanitized builds: the refusals end the job with MPI_Abort, which leaves
# Open MPI's own allocations (its dlopen'd components) unfreed, and
# LeakSanitizer would turn those into exit code 1.  Leaks of our code are
# checked by every other test, outside MPI.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
export ASAN_OPTIONS

checks="N=2 ranks = 1 process (cartpole, normalize_obs)
N=3 ranks (uneven split) = 1 process
only rank 0 writes: stdout and the run directory as 1 process
2 ranks x 2 PoCL devices, weights 1:3 = 1 process
seq2seq: 3 ranks = 1 process
image task (Fashion-MNIST, MLP): 2 ranks = 1 process
map_elites (behaviour descriptors): 3 ranks = 1 process
pbt (4 workers): 3 ranks = 1 process
--resume with another N (2 ranks, then 3) = uninterrupted run
more ranks than members: exit 2, no run directory
--resume under another config with 2 ranks: exit 2
a killed rank: the job exits non-zero naming the rank
a killed rank: the last checkpoint resumes to the uninterrupted run"

if ! $EVOJAX --version | grep -q '^built with MPI' || ! command -v mpirun >/dev/null 2>&1; then
	printf '%s\n' "$checks" | while IFS= read -r c; do
		n=$((n + 1))
		echo "ok $n - $c # SKIP no MPI in this build"
	done
	n=$(printf '%s\n' "$checks" | wc -l)
	done_testing
	exit 0
fi

MPIRUN="mpirun --oversubscribe --allow-run-as-root"
POCL_DEVICES=${POCL_DEVICES:-pthread pthread}
export POCL_DEVICES


# run NP NAME CONFIG [ARGS...]: a run into $T/NAME on NP ranks (1: no
# mpirun) on device 0 unless ARGS say otherwise, stdout into $T/NAME.out.
run() {
	np=$1 dir=$2 cfg=$3
	shift 3
	if [ "$np" -eq 1 ]; then
		$EVOJAX train "$cfg" --quiet --json --out "$T/$dir" --device 0 "$@" >"$T/$dir.out" 2>"$T/$dir.err"
	else
		$MPIRUN -np "$np" $EVOJAX train "$cfg" --quiet --json --out "$T/$dir" --device 0 "$@" >"$T/$dir.out" 2>"$T/$dir.err"
	fi
}

cp tests/fixtures/scale_cartpole.yaml "$T/c.yaml"
cp tests/fixtures/scale_seq2seq.yaml "$T/s.yaml"
files="metrics.jsonl final.npz best.npz checkpoint.npz"

run 1 c1 "$T/c.yaml"
run 2 c2 "$T/c.yaml"
run 3 c3 "$T/c.yaml"
same "N=2 ranks = 1 process (cartpole, normalize_obs)" "$T/c1" "$T/c2" $files
same "N=3 ranks (uneven split) = 1 process" "$T/c1" "$T/c3" $files
if cmp -s "$T/c1.out" "$T/c3.out" && [ "$(ls "$T/c1")" = "$(ls "$T/c3")" ] &&
	grep -q 'x 3 MPI ranks' "$T/c3/summary.json"; then
	pass "only rank 0 writes: stdout and the run directory as 1 process"
else
	fail "only rank 0 writes: stdout and the run directory as 1 process" \
		"$(diff "$T/c1.out" "$T/c3.out" | head -3)" "$(ls "$T/c3")"
fi
run 2 c22 "$T/c.yaml" --device 0,1 --set 'device.weights=[1, 3]'
same "2 ranks x 2 PoCL devices, weights 1:3 = 1 process" "$T/c1" "$T/c22" $files
run 1 s1 "$T/s.yaml"
run 3 s3 "$T/s.yaml"
same "seq2seq: 3 ranks = 1 process" "$T/s1" "$T/s3" $files
mnist="--set algo.pop_size=16 --set task.batch_size=128 --set trainer.max_iter=3 --set trainer.log_interval=1 --set trainer.test_interval=2 --set policy.hidden=[16] --device 0"
run 1 m1 configs/fashion_mnist_mlp.yaml $mnist
run 2 m2 configs/fashion_mnist_mlp.yaml $mnist
same "image task (Fashion-MNIST, MLP): 2 ranks = 1 process" "$T/m1" "$T/m2" $files
run 1 a1 tests/fixtures/scale_arm.yaml
run 3 a3 tests/fixtures/scale_arm.yaml
same "map_elites (behaviour descriptors): 3 ranks = 1 process" "$T/a1" "$T/a3" \
	metrics.jsonl final.npz archive.npz checkpoint.npz
pbt="--set trainer.max_iter=6 --set pbt.workers=4 --set pbt.eval_interval=2 --set pbt.ready=2 --set algo.pop_size=8 --set task.max_steps=50 --set trainer.n_evaluations=4 --set trainer.normalize_obs=true --device 0"
run 1 p1 configs/pbt/cartpole_pbt.yaml $pbt
run 3 p3 configs/pbt/cartpole_pbt.yaml $pbt
same "pbt (4 workers): 3 ranks = 1 process" "$T/p1" "$T/p3" \
	metrics.jsonl pbt.jsonl pbt_state.npz best.npz worker_2/checkpoint.npz

run 2 r "$T/c.yaml" --set trainer.max_iter=3
$MPIRUN -np 3 $EVOJAX train --resume "$T/r" --quiet --set trainer.max_iter=6 >/dev/null 2>"$T/r.err"
same "--resume with another N (2 ranks, then 3) = uninterrupted run" "$T/c1" "$T/r" $files

expect "more ranks than members: exit 2, no run directory" 2 "3 MPI ranks but the population has 2 members: every rank needs one (use -np 2 or fewer)" -- \
	$MPIRUN -np 3 $EVOJAX train "$T/c.yaml" --quiet --out "$T/x" --set algo.pop_size=2
[ -e "$T/x" ] && fail "more ranks than members: the run directory was created" "$(ls "$T/x")"
expect "--resume under another config with 2 ranks: exit 2" 2 "cannot resume from '$T/c1': it was written by another config ('algo.center_lr' is 0.05 there, 0.1 here)" -- \
	$MPIRUN -np 2 $EVOJAX train --resume "$T/c1" --quiet --set algo.center_lr=0.1

# Kill rank 1 once a checkpoint exists: mpirun names the rank and exits
# non-zero; the checkpoint (written atomically by rank 0) resumes to the
# uninterrupted run.
cat >"$T/k.yaml" <<YAML
seed: 4
task: {name: cartpole, max_steps: 200}
policy: {name: mlp, hidden: [16]}
algo: {name: pgpe, pop_size: 16, center_lr: 0.05}
trainer: {max_iter: 3000, log_interval: 50, test_interval: 5, n_repeats: 4, n_evaluations: 4, normalize_obs: true}
device: {spec: "0"}
YAML
$MPIRUN -np 2 $EVOJAX train "$T/k.yaml" --quiet --out "$T/k" >/dev/null 2>"$T/k.err" &
mp=$!
i=0
while [ ! -f "$T/k/checkpoint.npz" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
killed=
for p in $(ps -o pid= --ppid $mp); do
	if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -q '^OMPI_COMM_WORLD_RANK=1$'; then
		kill -9 "$p" && killed=$p
	fi
done
wait $mp
rc=$?
if [ -n "$killed" ] && [ "$rc" -ne 0 ] && grep -q 'process rank 1 .*exited on signal 9' "$T/k.err"; then
	pass "a killed rank: the job exits non-zero naming the rank"
else
	fail "a killed rank: the job exits non-zero naming the rank" "killed '$killed', rc $rc" "$(cat "$T/k.err")"
fi
done_at=$(sed -n 's/.*"kind": "test", "iter": \([0-9]*\).*/\1/p' "$T/k/metrics.jsonl" | tail -1)
$EVOJAX train --resume "$T/k" --quiet --set trainer.max_iter=$((done_at + 10)) >/dev/null 2>"$T/k2.err"
$EVOJAX train "$T/k.yaml" --quiet --out "$T/ku" --set trainer.max_iter=$((done_at + 10)) >/dev/null 2>&1
same "a killed rank: the last checkpoint resumes to the uninterrupted run" "$T/k" "$T/ku" $files
done_testing
