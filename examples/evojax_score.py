#!/usr/bin/env python3
"""evojax_score.py - score parameters trained by evojax (C + OpenCL) in
EvoJAX 0.2.17's own task and policy code: the fidelity oracle.

Not part of `make test` or CI.  Needs a virtual environment with
    pip install 'jax[cpu]==0.4.30' flax==0.8.5 evojax==0.2.17
Usage:
    python examples/evojax_score.py RUN_DIR/best.npz RUN_DIR/config.yaml \
        [--n-evaluations N] [--seed S]
The config (the run's resolved config.yaml) names the task and policy; the
npz holds 'params' (Flax flat layout) and 'obs_params' (EvoJAX's
[count, mean..., var...] layout), as evojax writes them.  Prints one JSON
line: task, n, mean, std, min, max of EvoJAX's test scores.

To add a task: write build_<task>(task_cfg, policy_cfg) returning
(train_task, test_task, policy) and add it to BUILDERS (policy_cfg is {}
for tasks without a policy section); a policy: a constructor in POLICIES.
Tasks: cartpole (policies mlp and mlp_pi, PermutationInvariantPolicy; a
shuffled cartpole (task.shuffle_obs) is scored on EvoJAX's plain
CartPoleSwingUp, since EvoJAX has no shuffled variant: for mlp_pi the
order of the observation makes no difference), slimevolley (MLPPolicy,
against the built-in baseline), mdkp (EvoJAX's MDKP with MDKPPolicy
re-created from its examples/train_mdkp.py; the test score is the one-step
reward), flocking (MLPPolicy on each boid's observation row; EvoJAX's
FlockingTask has no test variant, its test episodes are training
episodes from other keys), waterworld_ma (MLPPolicy on each agent's
row; each test world runs copies of the parameters on all 16 agents and
scores their mean, --n-evaluations worlds).
"""
import argparse
import json
import sys
import types

import numpy as np
import yaml


def mlp_policy(obs_dim, act_dim, pcfg):
    from evojax.policy.mlp import MLPPolicy
    return MLPPolicy(input_dim=obs_dim,
                     hidden_dims=list(pcfg.get('hidden', [64, 64])),
                     output_dim=act_dim,
                     output_act_fn=pcfg.get('output', 'tanh'))


def mlp_pi_policy(obs_dim, act_dim, pcfg):
    # the parameters do not depend on obs_dim: one LSTM for every component
    from evojax.policy.mlp_pi import PermutationInvariantPolicy
    return PermutationInvariantPolicy(act_dim=act_dim,
                                      hidden_dim=int(pcfg.get('hidden_dim', 64)),
                                      msg_dim=int(pcfg.get('msg_dim', 32)),
                                      pos_em_dim=int(pcfg.get('pos_em_dim', 8)))


POLICIES = {
    'mlp': mlp_policy,
    'mlp_pi': mlp_pi_policy,
}


def build_cartpole(tcfg, pcfg):
    from evojax.task.cartpole import CartPoleSwingUp
    hard = bool(tcfg.get('hard', False))
    steps = int(tcfg.get('max_steps', 1000))
    train = CartPoleSwingUp(harder=hard, test=False, max_steps=steps)
    test = CartPoleSwingUp(harder=hard, test=True, max_steps=steps)
    if pcfg['name'] not in POLICIES:
        raise SystemExit('cartpole: policy %r not scored here' % pcfg['name'])
    if tcfg.get('shuffle_obs', False):
        # EvoJAX has no shuffled cartpole: score on the plain task.  For
        # mlp_pi the order makes no difference; an mlp would be scored on
        # another task than it trained on.
        print('evojax_score: EvoJAX has no shuffled cartpole; scoring on '
              'the plain CartPoleSwingUp%s' % (
                  ' (mlp_pi is permutation invariant)'
                  if pcfg['name'] == 'mlp_pi' else
                  ' (for an mlp that is another task than it trained on)'),
              file=sys.stderr)
    return train, test, POLICIES[pcfg['name']](5, 1, pcfg)


def build_slimevolley(tcfg, pcfg):
    try:
        import cv2  # noqa: F401  EvoJAX imports OpenCV to render only
    except ImportError:
        sys.modules['cv2'] = types.ModuleType('cv2')
    from evojax.task.slimevolley import SlimeVolley
    steps = int(tcfg.get('max_steps', 3000))
    train = SlimeVolley(test=False, max_steps=steps)
    test = SlimeVolley(test=True, max_steps=steps)
    if pcfg['name'] != 'mlp':
        raise SystemExit('slimevolley: policy %r not scored here'
                         % pcfg['name'])
    return train, test, mlp_policy(12, 3, pcfg)


class MDKPPolicy:
    """EvoJAX's MDKPPolicy (examples/train_mdkp.py of google/evojax, which
    the evojax package does not ship), re-created: one parameter per item;
    B > 1: c = clip(p - 0.04, 0, 1) is compared with the thresholds
    cumsum(ones(B + 1) / (B + 1)) - min; B = 1: sigmoid(p) - 0.5 alone;
    row = #(diff >= 0) - 1 of a (B + 1, M) one-hot action (-1: the last
    row), whose rows 1.. are the bins.  Observations are ignored."""

    def __init__(self, num_items, num_bins):
        import jax
        import jax.numpy as jnp
        from evojax.policy.base import PolicyNetwork

        self.__class__ = type('MDKPPolicy', (MDKPPolicy, PolicyNetwork), {})
        self.num_params = num_items
        steps = jnp.ones([num_bins + 1, num_items]) / (num_bins + 1)
        thr = jnp.cumsum(steps, axis=0)
        thr = thr - thr.min(axis=0)

        def one(params, obs):
            del obs
            if num_bins == 1:
                diff = jax.nn.sigmoid(params)[None, :] - 0.5
            else:
                c = jnp.clip(params - 0.04, 0, 1)
                diff = c[None, :] - thr
            row = jnp.where(diff >= 0, 1, 0).sum(axis=0) - 1
            onehot = jnp.zeros([num_bins + 1, num_items])
            onehot = onehot.at[row, jnp.arange(num_items)].set(1)
            return onehot[1:]
        self._act = jax.vmap(one)

    def get_actions(self, t_states, params, p_states):
        return self._act(params, t_states.obs), p_states


def mdkp_csv_reader():
    """pandas, which EvoJAX's MDKP uses for CSV files; without it, a
    numpy stand-in for read_csv(path, header=None).values (numbers only)."""
    try:
        import pandas  # noqa: F401
        return
    except ModuleNotFoundError:
        pass
    import types
    shim = types.ModuleType('pandas')

    def read_csv(path, header=None):
        assert header is None
        return types.SimpleNamespace(
            values=np.loadtxt(path, delimiter=',', ndmin=2))
    shim.read_csv = read_csv
    sys.modules['pandas'] = shim
    print('evojax_score: pandas is missing, CSV files read with numpy.loadtxt',
          file=sys.stderr)


def build_mdkp(tcfg, pcfg):
    """EvoJAX's MDKP: its synthesized instance when the config's is
    EvoJAX's own, the config's CSV files otherwise (another synthesized
    instance is generated here as EvoJAX generates its own and handed over
    as CSV files)."""
    import os
    import tempfile
    from evojax.task.mdkp import MDKP
    if pcfg:
        raise SystemExit('mdkp: the task takes no policy section')
    items_csv = tcfg.get('items_csv') or ''
    caps_csv = tcfg.get('capacity_csv') or ''
    synth = (int(tcfg.get('num_items', 2000)), int(tcfg.get('num_attrs', 3)),
             int(tcfg.get('num_bins', 5)), int(tcfg.get('upper_bound', 100)),
             int(tcfg.get('data_seed', 0)))
    if not items_csv and synth == (2000, 3, 5, 100, 0):
        kw = dict(use_synthesized_data=True)
    else:
        if not items_csv:
            m, s, b, ub, seed = synth
            rnd = np.random.RandomState(seed=seed)
            items = rnd.randint(low=0, high=ub, size=(m, s + 1))
            per = int(m * 0.5 / b)
            ix = np.arange(m)
            rnd.shuffle(ix)
            sel = items[ix[:per * b], :-1]
            caps = np.array([sel[i * per:(i + 1) * per].sum(axis=0)
                             for i in range(b)]).reshape(b, s)
            tmp = tempfile.mkdtemp(prefix='evojax_score_mdkp.')
            items_csv = os.path.join(tmp, 'items.csv')
            caps_csv = os.path.join(tmp, 'caps.csv')
            np.savetxt(items_csv, items, fmt='%d', delimiter=',')
            np.savetxt(caps_csv, caps, fmt='%d', delimiter=',')
        mdkp_csv_reader()
        kw = dict(items_csv=items_csv, capacity_csv=caps_csv,
                  use_synthesized_data=False)
    train = MDKP(test=False, **kw)
    test = MDKP(test=True, **kw)
    return train, test, MDKPPolicy(num_items=train.act_shape[1],
                                   num_bins=train.act_shape[0])


def build_waterworld(tcfg, pcfg):
    from evojax.task.waterworld import WaterWorld
    items = int(tcfg.get('num_items', 50))
    steps = int(tcfg.get('max_steps', 1000))
    train = WaterWorld(num_items=items, max_steps=steps, test=False)
    test = WaterWorld(num_items=items, max_steps=steps, test=True)
    if pcfg['name'] != 'mlp':
        raise SystemExit('waterworld: policy %r not scored here' % pcfg['name'])
    return train, test, mlp_policy(train.obs_shape[0], train.act_shape[0], pcfg)


def build_waterworld_ma(tcfg, pcfg):
    """EvoJAX's MultiAgentWaterWorld; its test world runs copies of the
    parameters on every agent and scores the mean over agents (main()
    sets n_evaluations to the agent count, test_n_repeats to the worlds).
    agent_sensing: fixed is beyond EvoJAX (its task has only the clamped
    lookup)."""
    from evojax.task.ma_waterworld import MultiAgentWaterWorld
    if pcfg['name'] != 'mlp':
        raise SystemExit('waterworld_ma: policy %r not scored here'
                         % pcfg['name'])
    if tcfg.get('agent_sensing', 'evojax') != 'evojax':
        print('evojax_score: note: EvoJAX senses agents its own way '
              '(agent_sensing evojax); scoring a %r policy there'
              % tcfg['agent_sensing'], file=sys.stderr)
    kw = dict(num_agents=int(tcfg.get('num_agents', 16)),
              num_items=int(tcfg.get('num_items', 100)),
              max_steps=int(tcfg.get('max_steps', 1000)))
    train = MultiAgentWaterWorld(test=False, **kw)
    test = MultiAgentWaterWorld(test=True, **kw)
    return train, test, mlp_policy(train.obs_shape[-1], train.act_shape[-1],
                                   pcfg)


def build_flocking(tcfg, pcfg):
    """EvoJAX's FlockingTask (it has no test variant: both are the same
    task) with an MLPPolicy run on each boid's observation row."""
    from evojax.task.flocking import FlockingTask
    if pcfg['name'] != 'mlp':
        raise SystemExit('flocking: policy %r not scored here' % pcfg['name'])
    kw = dict(max_steps=int(tcfg.get('max_steps', 150)),
              reward_type=int(tcfg.get('reward_type', 0)),
              action_type=int(tcfg.get('action_type', 0)))
    return (FlockingTask(**kw), FlockingTask(**kw),
            mlp_policy(15, kw['action_type'] + 1, pcfg))


BUILDERS = {
    'cartpole': build_cartpole,
    'slimevolley': build_slimevolley,
    'mdkp': build_mdkp,
    'waterworld': build_waterworld,
    'flocking': build_flocking,
    'waterworld_ma': build_waterworld_ma,
}

# Tasks whose observations EvoJAX cannot normalize, and why.
NO_NORMALIZE = {
    'flocking': 'its obs_shape (15, 30) is the transpose of the (30, 15) '
                'rows the task returns',
    'waterworld_ma': 'not scored here with normalized observations',
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('npz')
    ap.add_argument('config')
    ap.add_argument('--n-evaluations', type=int, default=None)
    ap.add_argument('--seed', type=int, default=None)
    a = ap.parse_args()

    with open(a.config) as f:
        cfg = yaml.safe_load(f)
    tcfg, pcfg = cfg['task'], cfg.get('policy') or {}
    trainer = cfg.get('trainer', {})
    build = BUILDERS.get(tcfg['name'])
    if build is None:
        sys.exit('evojax_score: task %r has no EvoJAX builder (known: %s)'
                 % (tcfg['name'], ', '.join(sorted(BUILDERS))))
    normalize = bool(trainer.get('normalize_obs', False))
    if normalize and tcfg['name'] in NO_NORMALIZE:
        sys.exit('evojax_score: EvoJAX cannot normalize the observations of '
                 '%s: %s' % (tcfg['name'], NO_NORMALIZE[tcfg['name']]))
    train, test, policy = build(tcfg, pcfg)

    import jax.numpy as jnp
    from evojax.obs_norm import ObsNormalizer
    from evojax.sim_mgr import SimManager

    z = np.load(a.npz)
    # (P,), as EvoJAX's Trainer passes its best parameters to eval_params
    params = jnp.asarray(z['params'], dtype=jnp.float32).reshape(-1)
    if params.shape[0] != policy.num_params:
        sys.exit('evojax_score: %s has %d parameters, EvoJAX\'s policy %d'
                 % (a.npz, params.shape[0], policy.num_params))
    norm = ObsNormalizer(obs_shape=train.obs_shape, dummy=not normalize)
    n_eval = a.n_evaluations or int(trainer.get('n_evaluations', 100))
    seed = a.seed if a.seed is not None else int(cfg.get('seed', 42))
    test_rep = 1
    if getattr(train, 'multi_agent_training', False):
        # EvoJAX's multi-agent test: n_evaluations copies of the
        # parameters fill one world (of that many agents) per test repeat
        # and each world scores the mean over its agents; n_eval worlds
        test_rep, n_eval = n_eval, train.obs_shape[0]
    mgr = SimManager(n_repeats=1, test_n_repeats=test_rep, pop_size=1,
                     n_evaluations=n_eval, policy_net=policy,
                     train_vec_task=train, valid_vec_task=test, seed=seed,
                     obs_normalizer=norm)
    if normalize:
        mgr.obs_params = jnp.asarray(z['obs_params'], dtype=jnp.float32)
    scores, _ = mgr.eval_params(params=params, test=True)
    s = np.asarray(scores, dtype=np.float64)
    print(json.dumps({'task': tcfg['name'], 'n': int(s.size),
                      'mean': float(s.mean()), 'std': float(s.std()),
                      'min': float(s.min()), 'max': float(s.max())}))


if __name__ == '__main__':
    main()
