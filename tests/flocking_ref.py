#!/usr/bin/env python3
"""Writes tests/flocking_ref.h, the reference values of tests/test_flocking.c
(not run by make test).

Run with EvoJAX 0.2.17 (pip install 'jax[cpu]==0.4.30' flax==0.8.5
evojax==0.2.17):
    /work/ejvenv/bin/python tests/flocking_ref.py > tests/flocking_ref.h

The header holds
 1. two hand-made cases of 2 and 3 boids: the energy's three sums
    (alignment and avoidance over ordered pairs, cohesion over boids) and
    the total, in float64 numpy written here from the formulas of
    evojax/task/flocking.py (not EvoJAX's code), and EvoJAX's own
    calc_energy of the same float32 state;
 2. one step of EvoJAX's jitted FlockingTask.step from fixed 30-boid states
    (uniform, a cluster, a cluster across the torus corner, coincident
    boids and exact distance ties, large unwrapped angles) with fixed
    actions, for each reward_type and action_type: the neighbours EvoJAX's
    observation shows before and after the step (as boid indices), the
    reward and the new state;
 3. whole 150-step episodes of EvoJAX's task from a fixed state: with
    fixed actions ((7 t + 3 b) mod 11) / 5 - 1 for boid b at step t, and
    with EvoJAX's MLPPolicy 15-60-60-1 (tanh output) at weights
    w_k = float32(0.3 sin(0.7 k + 0.1)) (Flax flat layout): the reward of
    every step and the last state.
"""
import numpy as np

import jax
import jax.numpy as jnp
from evojax.task import flocking as fl
from evojax.policy.mlp import MLPPolicy

N = fl.BOIDS_NUM
K = fl.NEIGHBOR_NUM
STEPS = 150


def lit(x):
    """A C float literal that reads back as float32(x)."""
    s = '%.9g' % float(np.float32(x))
    return s + ('f' if '.' in s or 'e' in s or 'n' in s else '.0f')


def fmt(xs, per=6, indent='\t\t'):
    xs = [lit(x) for x in np.asarray(xs).ravel()]
    rows = [', '.join(xs[i:i + per]) for i in range(0, len(xs), per)]
    return (',\n' + indent).join(rows)


def ints(xs):
    return ', '.join(str(int(x)) for x in np.asarray(xs).ravel())


# ---- 1. hand cases, float64 numpy from the formulas ----------------------

def energy64(st):
    """EvoJAX's energy terms in float64, written from the formulas."""
    p = st[:, :2].astype(np.float64)
    th = st[:, 2].astype(np.float64)
    n = len(p)
    nv = np.stack([np.cos(th), np.sin(th)], axis=1)
    align = avoid = coh = 0.0
    for i in range(n):
        com = np.zeros(2)
        cnt = 0
        for j in range(n):
            d = np.mod(p[j] - p[i] + 0.5, 1.0) - 0.5
            r = np.hypot(d[0], d[1])
            if r < 0.15:
                align += 0.2 / 3 * (1 - r / 0.15) ** 3 * \
                    (1 - nv[i] @ nv[j]) ** 2
            if r < 0.12:
                avoid += 0.1 / 3 * (1 - r / 0.12) ** 3
            if r > 0 and r < 0.3:
                c = (d / r) @ nv[i]
                if np.cos(np.pi / 3) < c < 1.0:
                    com += d
                    cnt += 1
        m = com / (cnt + 1e-7)
        u = m / np.linalg.norm(m + 1e-7)
        coh += 0.5 * 0.3 * (1 - u @ nv[i]) ** 2
    return align, avoid, coh, 0.5 * (align + avoid) + coh


def hand_cases():
    a = np.array([[0.5, 0.5, 0.0],
                  [0.56, 0.58, np.pi / 2]], dtype=np.float32)
    b = np.array([[0.02, 0.5, np.pi],
                  [0.96, 0.53, np.pi],
                  [0.03, 0.42, 1.0]], dtype=np.float32)
    out = []
    for name, st in (('two boids', a), ('three boids across x = 0', b)):
        e64 = energy64(st)
        ej = float(fl.calc_energy(jnp.asarray(st[:, :2]),
                                  jnp.asarray(st[:, 2:])))
        out.append((name, st, e64, ej))
    return out


# ---- 2. one step of EvoJAX's task ----------------------------------------

def states():
    rs = np.random.RandomState(7)
    out = []
    st = np.zeros((N, 3), np.float32)
    st[:, :2] = rs.uniform(0, 1, (N, 2))
    st[:, 2] = rs.uniform(0, 2 * np.pi, N)
    out.append(('uniform', st))
    st = np.zeros((N, 3), np.float32)
    st[:, :2] = 0.4 + rs.uniform(0, 0.25, (N, 2))
    st[:, 2] = 1.0 + rs.normal(0, 0.4, N)
    out.append(('cluster', st))
    st = np.zeros((N, 3), np.float32)
    st[:, :2] = np.mod(rs.uniform(-0.12, 0.12, (N, 2)), 1.0)
    st[:, 2] = 4.0 + rs.normal(0, 0.3, N)
    out.append(('cluster across the corner', st))
    st = np.zeros((N, 3), np.float32)
    st[:, :2] = rs.uniform(0, 1, (N, 2))
    st[:, 2] = rs.uniform(-40, 40, N)
    # boid 7 on boid 3 (a tie at distance 0: 3 before 7 for both), boids
    # 10 and 11 at exactly 1/16 either side of boid 12 (a tie: 10 first),
    # boid 20 at 1/32 beyond the x = 0 edge from boid 21
    st[7, :2] = st[3, :2]
    st[12, :2] = (0.5, 0.25)
    st[10, :2] = (0.5625, 0.25)
    st[11, :2] = (0.4375, 0.25)
    st[21, :2] = (0.015625, 0.75)
    st[20, :2] = (0.984375, 0.75)
    out.append(('coincident boids and ties', st))
    return out


def neighbors(st, obs):
    """The boid indices behind each observation row."""
    idx = np.zeros((N, K), np.int64)
    for i in range(N):
        for k in range(K):
            hit = np.where((st == obs[i, 3 * k:3 * k + 3]).all(axis=1))[0]
            assert len(hit) == 1, (i, k, hit)
            idx[i, k] = hit[0]
    return idx


def one_step(st, act, steps, reward_type, action_type):
    task = fl.FlockingTask(STEPS, reward_type=reward_type,
                           action_type=action_type)
    s = jnp.asarray(st)[None]
    obs = fl.choose_neighbor(s[0])
    ts = fl.State(obs=obs[None], state=s,
                  steps=jnp.full((1,), steps, jnp.int32),
                  key=jax.random.PRNGKey(0)[None])
    ts1, r, done = task.step(ts, jnp.asarray(act)[None])
    st1 = np.asarray(ts1.state[0])
    return (neighbors(st, np.asarray(obs)), float(r[0]), st1,
            neighbors(st1, np.asarray(ts1.obs[0])), bool(done[0]))


def step_cases():
    rs = np.random.RandomState(11)
    out = []
    for k, (name, st) in enumerate(states()):
        for rt, at, t in ((0, 0, 0), (1, 1, 75), (1, 0, 0), (0, 1, 149)):
            act = rs.uniform(-1, 1, (N, at + 1)).astype(np.float32)
            nb, r, st1, nb1, done = one_step(st, act, t, rt, at)
            out.append((k, rt, at, t, act, nb, r, st1, nb1, done))
    return out


# ---- 3. episodes ---------------------------------------------------------

def fixed_act(t):
    b = np.arange(N)
    return (((7 * t + 3 * b) % 11).astype(np.float32) / np.float32(5)
            - np.float32(1))[:, None]


def mlp_params(n):
    k = np.arange(n, dtype=np.float64)
    return (0.3 * np.sin(0.7 * k + 0.1)).astype(np.float32)


def episode(st, policy=None, params=None):
    task = fl.FlockingTask(STEPS)
    s = jnp.asarray(st)[None]
    ts = fl.State(obs=fl.choose_neighbor(s[0])[None], state=s,
                  steps=jnp.zeros((1,), jnp.int32),
                  key=jax.random.PRNGKey(0)[None])
    rewards = []
    for t in range(STEPS):
        if policy is None:
            act = jnp.asarray(fixed_act(t))[None]
        else:
            act, _ = policy.get_actions(ts, params, None)
        ts, r, done = task.step(ts, act)
        rewards.append(float(r[0]))
    assert bool(done[0])
    return np.array(rewards, np.float32), np.asarray(ts.state[0])


def main():
    print('/* flocking_ref.h - generated by tests/flocking_ref.py from '
          'EvoJAX 0.2.17\n * (jax %s); do not edit. */' % jax.__version__)
    print('#ifndef EJ_FLOCKING_REF_H\n#define EJ_FLOCKING_REF_H\n')
    print('typedef struct fl_hand_case {\n\tconst char *name;\n\tint n;\n'
          '\tfloat s[9];\n\tdouble align, avoid, cohesion, energy; '
          '/* float64 numpy */\n\tfloat evojax; /* calc_energy */\n'
          '} fl_hand_case;\n')
    print('static const fl_hand_case fl_hand_cases[] = {')
    for name, st, e64, ej in hand_cases():
        print('\t{ "%s", %d,\n\t  { %s },\n\t  %.17g, %.17g, %.17g, %.17g,'
              '\n\t  %s },' % (name, len(st), fmt(st, 9, '\t    '),
                               *e64, lit(ej)))
    print('};\n')
    print('typedef struct fl_state {\n\tconst char *name;\n'
          '\tfloat s[%d]; /* (boids, 3): x, y, theta */\n'
          '\tint nbr[%d][%d]; /* EvoJAX\'s observation of s as indices */\n'
          '} fl_state;\n' % (3 * N, N, K))
    print('static const fl_state fl_states[] = {')
    for name, st in states():
        print('\t{ "%s",' % name)
        print('\t  { %s },' % fmt(st, 6, '\t    '))
        nb = neighbors(st, np.asarray(fl.choose_neighbor(jnp.asarray(st))))
        print('\t  { %s } },' % ', '.join('{ %s }' % ints(row) for row in nb))
    print('};\n')
    print('typedef struct fl_step_case {\n\tint state; /* in fl_states */\n'
          '\tint reward_type, action_type, t;\n'
          '\tfloat act[%d]; /* (boids, action_type + 1) */\n'
          '\tfloat reward;\n\tfloat s1[%d];\n'
          '\tint nbr1[%d][%d]; /* EvoJAX\'s observation of s1 */\n'
          '\tint done;\n} fl_step_case;\n' % (2 * N, 3 * N, N, K))
    print('static const fl_step_case fl_step_cases[] = {')
    for (k, rt, at, t, act, nb, r, st1, nb1, done) in step_cases():
        assert (nb == neighbors(states()[k][1], np.asarray(fl.choose_neighbor(
            jnp.asarray(states()[k][1]))))).all()
        print('\t{ %d, %d, %d, %d,' % (k, rt, at, t))
        print('\t  { %s },' % fmt(act, 6, '\t    '))
        print('\t  %s,' % lit(r))
        print('\t  { %s },' % fmt(st1, 6, '\t    '))
        print('\t  { %s },' % ', '.join('{ %s }' % ints(row) for row in nb1))
        print('\t  %d },' % int(done))
    print('};\n')
    st0 = states()[1][1]
    pol = MLPPolicy(input_dim=3 * K, hidden_dims=[60, 60], output_dim=1)
    params = jnp.asarray(mlp_params(pol.num_params))[None]
    fixed_r, fixed_s = episode(st0)
    mlp_r, mlp_s = episode(st0, pol, params)
    print('/* Episodes of %d steps from the "cluster" state (fl_states[1]). */'
          % STEPS)
    print('#define FL_EPISODE_STEPS %d' % STEPS)
    print('#define FL_MLP_PARAMS %d' % pol.num_params)
    print('static const float fl_fixed_rewards[%d] = {\n\t%s\n};' %
          (STEPS, fmt(fixed_r, 6, '\t')))
    print('static const float fl_fixed_last[%d] = {\n\t%s\n};' %
          (3 * N, fmt(fixed_s, 6, '\t')))
    print('static const float fl_mlp_rewards[%d] = {\n\t%s\n};' %
          (STEPS, fmt(mlp_r, 6, '\t')))
    print('static const float fl_mlp_last[%d] = {\n\t%s\n};' %
          (3 * N, fmt(mlp_s, 6, '\t')))
    print('\n#endif')


if __name__ == '__main__':
    main()
