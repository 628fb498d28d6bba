#!/usr/bin/env python3
"""Writes tests/slimevolley_ref.h, the EvoJAX reference values of
tests/test_slimevolley.c (not run by make test).

Run with EvoJAX 0.2.17 (pip install 'jax[cpu]==0.4.30' flax==0.8.5
evojax==0.2.17; OpenCV is not needed, a stub stands in for it):
    /work/ejvenv/bin/python tests/slimevolley_ref.py > tests/slimevolley_ref.h

The header holds
 1. the baseline policy (7 outputs, 3 buttons) for three inputs, in float64
    numpy from the published weights (EvoJAX's initBaselinePolicyParams);
 2. one step of EvoJAX's own task (the jitted, vmapped SlimeVolley(test=
    True).step) from hand-made states: walls, ceiling, fence, fence stub,
    ball on an agent, points, agents held on their half, speed limit; the
    left player presses given buttons (action_left_flag 1);
 3. EvoJAX's task from a serve with ball velocity from the uniform u,
    the right (trained) agent pressing a fixed pattern of buttons
    (sv_pattern in the header, pattern() here) against the baseline, up to
    and including the first point: every CHECK steps the ball (x, y, vx,
    vy) and the agents (x, y, vx, vy); at the point the reward, the
    observation the task returned and both lives.
"""
import sys
import types

import numpy as np

sys.modules.setdefault('cv2', types.ModuleType('cv2'))  # render only

import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
from evojax.task import slimevolley as sv  # noqa: E402

CHECK = 8
SERVES = (0.025, 0.275, 0.525, 0.65)


def pattern(t):
    """The right agent's buttons at step t (sv_pattern in C)."""
    phase = (t // 8) % 3
    return np.array([1.0 if phase == 0 else -1.0,
                     1.0 if phase == 1 else -1.0,
                     1.0 if t % 16 < 3 else -1.0], dtype=np.float32)


def lit(x):
    """A C float literal that reads back as float32(x)."""
    s = '%.9g' % float(x)
    return s + ('f' if '.' in s or 'e' in s else '.0f')


def fmt(xs):
    return ', '.join(lit(x) for x in xs)


def baseline_cases():
    p = sv.initBaselinePolicyParams()
    w = np.asarray(p.w, dtype=np.float64)  # EvoJAX's float32 weights
    b = np.asarray(p.b, dtype=np.float64)
    cases = [
        (np.zeros(12), np.zeros(7)),
        (np.array([1.2, 0.15, 0, 0, 0.0, 1.2, 0.6, 2.0,
                   1.2, 0.15, 0, 0]), np.zeros(7)),
        (np.array([0.5, 0.3, -1.75, 1.35, 0.8, 0.6, -1.2, -0.5,
                   0.9, 0.15, 0.4, 0]),
         np.array([0.9, -0.2, 0.8, 0.1, -0.7, 0.3, 0.5])),
    ]
    print('static const sv_base_case sv_base_cases[] = {')
    for obs, st in cases:
        x = np.concatenate([obs[:8], st]).astype(np.float32).astype(np.float64)
        out = np.tanh(w @ x + b)
        act = (out[:3] > 0.75).astype(np.float64)
        print('\t{ { %s },\n\t  { %s },\n\t  { %s },\n\t  { %s } },' % (
            fmt(obs), fmt(st), fmt(out), fmt(act)))
    print('};\n')


def make_state(ball, right, left, lives, act_left):
    """A batch of one task State; the left player presses act_left
    (action_left_flag 1) unless it is None (the baseline plays)."""
    f = lambda v: jnp.asarray([v], dtype=jnp.float32)  # noqa: E731
    i = lambda v: jnp.asarray([v], dtype=jnp.int32)  # noqa: E731
    x, y, vx, vy, px, py = ball
    gs = sv.GameState(
        ball=sv.ParticleState(f(x), f(y), f(px), f(py), f(vx), f(vy), f(0.5)),
        agent_left=sv.AgentState(i(-1), f(left[0]), f(left[1]), f(1.5),
                                 f(left[2]), f(left[3]), f(0), f(0),
                                 i(lives[1])),
        agent_right=sv.AgentState(i(1), f(right[0]), f(right[1]), f(1.5),
                                  f(right[2]), f(right[3]), f(0), f(0),
                                  i(lives[0])),
        hidden_left=jnp.zeros((1, 7)), hidden_right=jnp.zeros((1, 7)),
        action_left_flag=i(0 if act_left is None else 1),
        action_left=jnp.asarray([act_left or [0, 0, 0]], dtype=jnp.float32),
        action_right_flag=i(1),
        action_right=jnp.zeros((1, 3), dtype=jnp.float32))
    return sv.State(game_state=gs, obs=jax.vmap(sv.get_obs)(gs),
                    steps=jnp.zeros((1,), dtype=jnp.int32),
                    key=jax.random.PRNGKey(0)[None])


def unpack(state):
    g = jax.tree_util.tree_map(lambda a: np.asarray(a)[0], state.game_state)
    ball = [g.ball.x, g.ball.y, g.ball.vx, g.ball.vy, g.ball.prev_x,
            g.ball.prev_y]
    agents = [[g.agent_right.x, g.agent_right.y, g.agent_right.vx,
               g.agent_right.vy],
              [g.agent_left.x, g.agent_left.y, g.agent_left.vx,
               g.agent_left.vy]]
    return g, ball, agents, [g.agent_right.life, g.agent_left.life]


# name, ball (x, y, vx, vy, prev_x, prev_y), right, left (x, y, vx, vy),
# lives (right, left), buttons right, left
CASES = [
    ('right wall', (23.4, 10, 9, 0, 23.1, 10), (12, 1.5, 0, 0),
     (-12, 1.5, 0, 0), (5, 5), (0, 0, 0), (0, 0, 0)),
    ('left wall', (-23.4, 20, -9, 3, -23.1, 20), (12, 1.5, 0, 0),
     (-12, 1.5, 0, 0), (5, 5), (0, 0, 0), (0, 0, 0)),
    ('ceiling', (5, 47.4, 1, 10, 5, 47), (12, 1.5, 0, 0),
     (-12, 1.5, 0, 0), (5, 5), (0, 0, 0), (0, 0, 0)),
    ('fence from the right', (1.2, 2.2, -12, 0, 1.6, 2.2),
     (12, 1.5, 0, 0), (-12, 1.5, 0, 0), (5, 5), (0, 0, 0), (0, 0, 0)),
    ('fence from the left', (-1.2, 2.4, 12, 0, -1.6, 2.4),
     (12, 1.5, 0, 0), (-12, 1.5, 0, 0), (5, 5), (0, 0, 0), (0, 0, 0)),
    ('fence stub', (0.3, 4.4, 0.5, -5, 0.28, 4.6), (12, 1.5, 0, 0),
     (-12, 1.5, 0, 0), (5, 5), (0, 0, 0), (0, 0, 0)),
    ('ball on the right agent', (10.6, 3.4, -1, -4, 10.63, 3.5),
     (10, 1.5, 0, 0), (-12, 1.5, 0, 0), (5, 5), (0, 0, 0), (0, 0, 0)),
    ('ball deep in the right agent (15 nudges)', (10.1, 1.9, 0, 0, 10.1, 1.95),
     (10, 1.5, 0, 0), (-12, 1.5, 0, 0), (5, 5), (0, 0, 0), (0, 0, 0)),
    ('ball on the jumping left agent', (-8.5, 3.9, 3, -6, -8.6, 4.1),
     (12, 1.5, 0, 0), (-8, 1.5, 0, 0), (5, 5), (0, 0, 0), (0, 1, 1)),
    ('point for the right', (-6, 2.1, -2, -3, -5.9, 2.2),
     (12, 1.5, 0, 0), (-12, 1.5, 0, 0), (5, 5), (0, 0, 0), (0, 0, 0)),
    ('point for the left, last life', (6, 2.1, 2, -3, 5.9, 2.2),
     (9, 1.5, 0, 0), (-12, 1.5, 0, 0), (1, 3), (1, 0, 0), (1, 0, 0)),
    ('agents at the fence and the wall', (0, 30, 0, 0, 0, 30),
     (2.3, 1.5, 0, 0), (-22.3, 1.5, 0, 0), (5, 5), (1, 0, 0), (0, 1, 0)),
    ('agents in the air, both directions pressed', (0, 30, 0, 0, 0, 30),
     (12, 3.0, 5, 2.0), (-5, 4.0, -3, -1.0), (5, 5), (1, 1, 1), (1, 1, 1)),
    ('speed limit', (10, 20, 20, 15, 9.5, 19.6), (12, 1.5, 0, 0),
     (-12, 1.5, 0, 0), (5, 5), (0, 0, 0), (0, 0, 0)),
]


def one_step_cases():
    task = sv.SlimeVolley(test=True, max_steps=3000)
    print('static const sv_case sv_cases[] = {')
    for name, ball, right, left, lives, ar, al in CASES:
        state = make_state(ball, right, left, lives, list(al))
        state, reward, done = task.step(
            state, jnp.asarray([ar], dtype=jnp.float32))
        g, b1, a1, l1 = unpack(state)
        left_obs = np.asarray(sv.Game(g).agent_left.getObservation())
        print('\t{ "%s",\n\t  { %s },\n\t  { { %s },\n\t    { %s } },\n'
              '\t  { %s }, { %s },\n\t  { %s },\n\t  { { %s },\n'
              '\t    { %s } },\n\t  { %s }, %s, %s,\n\t  { %s,\n\t    %s } },'
              % (name, fmt(ball), fmt(right), fmt(left), fmt(lives),
                 fmt(list(ar) + list(al)), fmt(b1), fmt(a1[0]), fmt(a1[1]),
                 fmt(l1), lit(reward[0]), lit(done[0]),
                 fmt(np.asarray(state.obs[0])), fmt(left_obs)))
    print('};\n')


def trajectory(u):
    task = sv.SlimeVolley(test=True, max_steps=3000)
    r = np.float32(np.float32(u) * np.float32(2) - np.float32(1))
    vx = r * np.float32(20)
    vy = r * np.float32(7.5) + np.float32(17.5)
    state = make_state((0, 12, vx, vy, 0, 12), (12, 1.5, 0, 0),
                       (-12, 1.5, 0, 0), (5, 5), None)
    rows = []
    for t in range(1000):
        state, reward, done = task.step(state, jnp.asarray(pattern(t))[None])
        g, ball, agents, lives = unpack(state)
        rew = float(reward[0])
        if (t + 1) % CHECK == 0 or rew != 0:
            rows.append((t + 1, ball[:4] if rew == 0 else [0] * 4, agents,
                         rew))
        if rew != 0:
            return rows, np.asarray(state.obs[0]), lives
    raise SystemExit('no point in 1000 steps')


def main():
    print('/* slimevolley_ref.h - EvoJAX 0.2.17 reference values for\n'
          ' * tests/test_slimevolley.c, written by tests/slimevolley_ref.py '
          '(jax %s). */' % jax.__version__)
    print('''#ifndef EJ_SLIMEVOLLEY_REF_H
#define EJ_SLIMEVOLLEY_REF_H

/* The baseline policy: obs (12), state (7) -> out (7), buttons (3). */
typedef struct sv_base_case {
	float obs[12], state[7], out[7], act[3];
} sv_base_case;

/* One step: before, buttons (right, left), after, obs (right as the task
 * returned it, left). */
typedef struct sv_case {
	const char *name;
	float ball[6];     /* x, y, vx, vy, prev_x, prev_y */
	float agent[2][4]; /* right, left: x, y, vx, vy */
	float lives[2];
	float act[6];
	float ball1[6];    /* after a point: a new serve, EvoJAX's own draw */
	float agent1[2][4];
	float lives1[2];
	float reward, done;
	float obs1[24];
} sv_case;

/* Serve trajectories: rows every CHECK steps and at the first point. */
typedef struct sv_row {
	int step;
	float ball[4];     /* x, y, vx, vy; zero at the point */
	float agent[2][4];
	float reward;
} sv_row;

typedef struct sv_serve {
	float u;           /* ball v = ((2u - 1) 20, (2u - 1) 7.5 + 17.5) */
	const sv_row *rows;
	int n_rows;
	float obs[12];     /* returned at the point */
	float lives[2];    /* after the point */
} sv_serve;

/* The right agent's buttons at step t in the serve trajectories. */
static inline void sv_pattern(int t, float act[3])
{
	int phase = (t / 8) % 3;

	act[0] = phase == 0 ? 1.0f : -1.0f;
	act[1] = phase == 1 ? 1.0f : -1.0f;
	act[2] = t % 16 < 3 ? 1.0f : -1.0f;
}
''')
    baseline_cases()
    one_step_cases()
    serves = []
    for k, u in enumerate(SERVES):
        rows, obs, lives = trajectory(u)
        print('/* u = %g: point at step %d, reward %g */' % (
            u, rows[-1][0], rows[-1][3]))
        print('static const sv_row sv_rows_%d[] = {' % k)
        for step, ball, agents, rew in rows:
            print('\t{ %d, { %s },\n\t  { { %s },\n\t    { %s } }, %s },' % (
                step, fmt(ball), fmt(agents[0]), fmt(agents[1]), lit(rew)))
        print('};\n')
        serves.append((u, k, obs, lives))
    print('static const sv_serve sv_serves[] = {')
    for u, k, obs, lives in serves:
        print('\t{ %s, sv_rows_%d, sizeof(sv_rows_%d) / sizeof(sv_rows_%d[0]),'
              '\n\t  { %s },\n\t  { %s } },' % (lit(u), k, k, k, fmt(obs),
                                                fmt(lives)))
    print('};\n\n#endif')


if __name__ == '__main__':
    main()
