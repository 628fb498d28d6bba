#!/bin/sh
# Pictures through the CLI: `evojax plot` (SVG parsed as XML with one mean
# line per run and a point per train line, PNG of the stated size, one
# series per PBT worker with exploit marks) and `evojax render` (GIF of the
# stated size and frame count, returns equal to `evojax test`'s for the
# same seed), and their errors.
. tests/cli_lib.sh
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
FIX=tests/fixtures/cartpole_easy_trained.npz
CP=configs/cartpole_easy.yaml

# Two short runs and a population-based one.
for s in 1 2; do
	$EVOJAX train $CP --smoke --seed $s --quiet --out "$T/r$s" >/dev/null 2>"$T/r$s.err"
done
$EVOJAX train configs/pbt/cartpole_pbt.yaml --smoke --quiet --out "$T/p" >/dev/null 2>"$T/p.err"

expect "plot two runs as SVG" 0 "" -- $EVOJAX plot "$T/r1" "$T/r2" --out "$T/c.svg"
# SVG: valid XML; per run (tab10 colours in order) one 2-pixel path with a
# point per train line of its metrics.jsonl.
cat >"$T/svg.py" <<'EOF'
import re, sys, xml.etree.ElementTree as ET
svg, want = sys.argv[1], [int(n) for n in sys.argv[2:]]
root = ET.parse(svg).getroot()
assert root.tag.endswith('svg'), root.tag
assert root.get('width') == '800pt' and root.get('height') == '500pt', root.attrib
tab10 = ['31,119,180', '255,127,14', '44,160,44', '214,39,40', '148,103,189',
         '140,86,75', '227,119,194', '127,127,127', '188,189,34', '23,190,207']
means = {}
for p in root.iter('{http://www.w3.org/2000/svg}path'):
    st = p.get('style') or ''
    m = re.search(r'stroke:rgb\(([\d.]+)%,([\d.]+)%,([\d.]+)%\)', st)
    if 'stroke-width:2;' not in st or not m:
        continue
    rgb = ','.join(str(round(float(v) * 2.55)) for v in m.groups())
    if rgb in tab10:
        means.setdefault(tab10.index(rgb), []).append(len(re.findall(r'[ML] ', p.get('d'))))
got = [means.get(i, []) for i in range(len(want))]
assert got == [[n] for n in want] and len(means) == len(want), (got, want)
black = [p for p in root.iter('{http://www.w3.org/2000/svg}path')
         if 'stroke:rgb(0%,0%,0%)' in (p.get('style') or '')]
print('exploit marks' if black else 'no exploit marks')
EOF
n1=$(grep -c '"kind": "train"' "$T/r1/metrics.jsonl")
n2=$(grep -c '"kind": "train"' "$T/r2/metrics.jsonl")
if out=$($PY "$T/svg.py" "$T/c.svg" "$n1" "$n2" 2>&1) && [ "$n1" -eq 4 ] &&
	[ "$out" = "no exploit marks" ]; then
	pass "SVG parses; one mean line per run, a point per train line ($n1, $n2)"
else
	fail "SVG parses; one mean line per run, a point per train line ($n1, $n2)" "$out"
fi

# PNG of the stated size (IHDR).
cat >"$T/png.py" <<'EOF'
import struct, sys
b = open(sys.argv[1], 'rb').read(24)
assert b[:8] == b'\x89PNG\r\n\x1a\n' and b[12:16] == b'IHDR', b
print('%dx%d' % struct.unpack('>II', b[16:24]))
EOF
expect "plot as PNG" 0 "" -- $EVOJAX plot "$T/r1" "$T/r2" --out "$T/c.png"
expect "plot as PNG, --size" 0 "" -- $EVOJAX plot "$T/r1" --out "$T/d.png" --size 640x400
if [ "$($PY "$T/png.py" "$T/c.png" 2>&1)" = 800x500 ] &&
	[ "$($PY "$T/png.py" "$T/d.png" 2>&1)" = 640x400 ]; then
	pass "PNG of the stated size (800x500 default, 640x400)"
else
	fail "PNG of the stated size" "$($PY "$T/png.py" "$T/c.png" 2>&1) $($PY "$T/png.py" "$T/d.png" 2>&1)"
fi

# PBT: one series per worker, exploit events marked.
expect "plot a PBT run" 0 "" -- $EVOJAX plot "$T/p" --out "$T/p.svg"
w0=$(grep -c '"worker": 0, "kind": "train"' "$T/p/metrics.jsonl")
w1=$(grep -c '"worker": 1, "kind": "train"' "$T/p/metrics.jsonl")
if grep -q '"event": "exploit"' "$T/p/pbt.jsonl" &&
	[ "$($PY "$T/svg.py" "$T/p.svg" "$w0" "$w1" 2>&1)" = "exploit marks" ]; then
	pass "PBT: one series per worker, exploit marks"
else
	fail "PBT: one series per worker, exploit marks" "$($PY "$T/svg.py" "$T/p.svg" "$w0" "$w1" 2>&1)"
fi

# Plot errors.
mkdir -p "$T/none" "$T/bad"
expect "plot: a directory without metrics.jsonl" 2 "evojax: error: '$T/none' is not a run directory: it has no metrics.jsonl" -- \
	$EVOJAX plot "$T/r1" "$T/none"
{ cat "$T/r1/metrics.jsonl"; echo '{"kind": "train", "iter": 9, "avg": 1e}'; } >"$T/bad/metrics.jsonl"
expect "plot: a malformed metrics line" 2 "evojax: error: $T/bad/metrics.jsonl:$((n1 + 3)):39: number expected" -- \
	$EVOJAX plot "$T/bad"
expect "plot: an unknown picture format" 2 "evojax: error: 'c.jpg': the picture's name must end in .svg or .png" -- \
	$EVOJAX plot "$T/r1" --out c.jpg
expect "plot: no run directory" 2 "evojax plot: missing RUN_DIR" -- $EVOJAX plot --out "$T/x.svg"
expect "plot: a bad --size" 2 "evojax plot: --size must be WIDTHxHEIGHT in pixels, got '800'" -- \
	$EVOJAX plot "$T/r1" --size 800

# Render: 2 smoke episodes (100 steps) of the trained fixture, every 10th
# step: 1 + 10 frames each; the GIF's screen and frame count read from its
# blocks.
cat >"$T/gif.py" <<'EOF'
import struct, sys
b = open(sys.argv[1], 'rb').read()
assert b[:6] == b'GIF89a', b[:6]
w, h, flags = struct.unpack('<HHB', b[6:11])
i = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
frames = loops = 0
def blocks(i):
    while b[i]:
        i += b[i] + 1
    return i + 1
while b[i] != 0x3B:
    if b[i] == 0x21:
        if b[i + 1] == 0xFF and b[i + 3:i + 14] == b'NETSCAPE2.0':
            loops += 1
        i = blocks(i + 2)
    elif b[i] == 0x2C:
        x, y, fw, fh, f = struct.unpack('<HHHHB', b[i + 1:i + 10])
        assert x + fw <= w and y + fh <= h
        i += 10 + (3 << ((f & 7) + 1) if f & 0x80 else 0)
        i = blocks(i + 1)
        frames += 1
    else:
        raise SystemExit('bad block 0x%02x at %d' % (b[i], i))
print('%dx%d %d frames %d loop' % (w, h, frames, loops))
EOF
# The returns a render printed, in episode order.
cat >"$T/ret.py" <<'EOF'
import json, sys
r = [json.loads(l)['return'] for l in open(sys.argv[1]) if l.strip()]
print(' '.join(repr(x) for x in r))
EOF
# |a - b| <= 1e-2 |b| for render's episode k and entry k of test --scores.
cat >"$T/near.py" <<'EOF'
import json, sys
a = [float(x) for x in open(sys.argv[1]).read().split()]
b = json.loads(open(sys.argv[2]).read())['scores']
assert len(a) == len(b), (a, b)
d = max(abs(x - y) / max(abs(y), 1e-9) for x, y in zip(a, b))
print('%.3g' % d)
sys.exit(0 if d <= 1e-2 else 1)
EOF
$EVOJAX render $CP --params $FIX --smoke --episodes 2 --every 10 --out "$T/e.gif" >"$T/e.out" 2>"$T/e.err"
rc=$?
if [ $rc -eq 0 ] && [ "$($PY "$T/gif.py" "$T/e.gif" 2>&1)" = "480x260 22 frames 1 loop" ] &&
	[ "$(grep -c '"steps": 100, "frames": 11}' "$T/e.out")" -eq 2 ]; then
	pass "render: GIF 480x260, 2 episodes x 11 frames, looping"
else
	fail "render: GIF 480x260, 2 episodes x 11 frames, looping" "exit $rc" "$($PY "$T/gif.py" "$T/e.gif" 2>&1)" "$(cat "$T/e.out" "$T/e.err")"
fi
# The rendered returns are the evaluator's (`evojax test --scores`, same
# seed, as many episodes), episode by episode within 1% (the host's libm
# against the device's: tests/test_render.c).
# With --iter N both take the episodes of a run's test at iteration N
# (other starts than iteration 0's: the returns must differ from seed 5's).
for si in "42 0" "5 0" "5 7"; do
	set -- $si
	$EVOJAX render $CP --params $FIX --smoke --episodes 3 --seed $1 --iter $2 --out "$T/s.gif" >"$T/s.out" 2>/dev/null
	$EVOJAX test $CP --params $FIX --smoke --set trainer.n_evaluations=3 --seed $1 --iter $2 --scores >"$T/t.out" 2>/dev/null
	$PY "$T/ret.py" "$T/s.out" >"$T/s.stats" 2>&1
	[ "$2" = 0 ] && cp "$T/s.stats" "$T/s.stats.$1"
	if d=$($PY "$T/near.py" "$T/s.stats" "$T/t.out" 2>&1) && grep -q "\"iter\": $2, \"return\"" "$T/s.out" &&
		{ [ "$2" = 0 ] || ! cmp -s "$T/s.stats" "$T/s.stats.$1"; }; then
		pass "render returns = evojax test --scores, episode by episode, seed $1, iteration $2 (largest relative difference $d)"
	else
		fail "render returns = evojax test --scores, episode by episode, seed $1, iteration $2" "$d" "$(cat "$T/s.out" "$T/t.out")"
	fi
done
set --
expect "render --size" 0 "" -- $EVOJAX render $CP --params $FIX --smoke --every 50 --size 320x180 --out "$T/z.gif"
if [ "$($PY "$T/gif.py" "$T/z.gif" 2>&1)" = "320x180 3 frames 1 loop" ]; then
	pass "render --size 320x180: GIF of that size"
else
	fail "render --size 320x180: GIF of that size" "$($PY "$T/gif.py" "$T/z.gif" 2>&1)"
fi

# SlimeVolley: a smoke-trained MLP against the baseline; the returns (whole
# points) are the evaluator's.
$EVOJAX train configs/slimevolley.yaml --smoke --quiet --out "$T/sv" >/dev/null 2>"$T/sv.err"
$EVOJAX render configs/slimevolley.yaml --smoke --params "$T/sv/best.npz" --episodes 2 --out "$T/sv.gif" >"$T/sv.out" 2>"$T/sv.rerr"
$EVOJAX test configs/slimevolley.yaml --smoke --params "$T/sv/best.npz" --set trainer.n_evaluations=2 --scores >"$T/svt.out" 2>/dev/null
$PY "$T/ret.py" "$T/sv.out" >"$T/sv.stats" 2>&1
if $PY "$T/near.py" "$T/sv.stats" "$T/svt.out" >/dev/null 2>&1 &&
	$PY "$T/gif.py" "$T/sv.gif" 2>&1 | grep -q '^480x260 '; then
	pass "render slimevolley: GIF, returns = evojax test returns"
else
	fail "render slimevolley: GIF, returns = evojax test returns" "$(cat "$T/sv.out" "$T/sv.rerr" "$T/svt.out" "$T/sv.err")"
fi

# Render errors.
cat >"$T/fn.yaml" <<'EOF'
task: {name: function, fn: sphere, dim: 4}
algo: {name: snes}
EOF
expect "render: a task that cannot be drawn" 2 "evojax: error: task 'function' cannot be rendered: it has no host reference of its episodes (tasks that can: cartpole, slimevolley)" -- \
	$EVOJAX render "$T/fn.yaml" --params $FIX --out "$T/f.gif"
expect "render: an image task" 2 "evojax: error: task 'mnist' cannot be rendered" -- \
	$EVOJAX render configs/fashion_mnist.yaml --params $FIX --out "$T/f.gif"
$EVOJAX train $CP --smoke --set 'policy.hidden=[4]' --quiet --out "$T/small" >/dev/null 2>&1
expect "render: parameters of the wrong size" 1 "evojax: error: '$T/small/best.npz': 'params' has 29 elements, expected 4609" -- \
	$EVOJAX render $CP --params "$T/small/best.npz" --out "$T/f.gif"
expect "render: missing --params" 2 "evojax render: missing --params FILE.npz" -- $EVOJAX render $CP
expect "render: not a GIF" 2 "evojax: error: 'f.png': the animation's name must end in .gif" -- \
	$EVOJAX render $CP --params $FIX --out f.png
expect "render: --episodes 0" 2 "evojax render: --episodes must be a whole number from 1 to 100000, got '0'" -- \
	$EVOJAX render $CP --params $FIX --episodes 0
expect "render: too small" 2 "evojax: error: a picture size of 8 x 8 is out of range" -- \
	$EVOJAX render $CP --params $FIX --size 8x8 --out "$T/f.gif"
if [ ! -e "$T/f.gif" ] && [ ! -e f.png ] && [ ! -e c.jpg ]; then
	pass "failed commands leave no file"
else
	fail "failed commands leave no file" "$(ls "$T")"
fi

# A self-play config renders its test episodes: against the baseline, as
# evojax test scores them (task_ops.test_cfg), the same return as the
# baseline config's.
$EVOJAX train configs/slimevolley_selfplay.yaml --smoke --quiet --out "$T/sp" >/dev/null 2>&1
for c in slimevolley slimevolley_selfplay; do
	$EVOJAX render configs/$c.yaml --params "$T/sp/best.npz" --episodes 2 --seed 3 \
		--set task.max_steps=400 --every 40 --out "$T/$c.gif" 2>/dev/null >"$T/$c.json"
done
if [ -s "$T/slimevolley.json" ] && cmp -s "$T/slimevolley.json" "$T/slimevolley_selfplay.json"; then
	pass "render of a self-play config plays the baseline"
else
	fail "render of a self-play config plays the baseline" "$(cat "$T/slimevolley.json" "$T/slimevolley_selfplay.json")"
fi
done_testing
