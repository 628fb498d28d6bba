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
(train_task, test_task, policy) and add it to BUILDERS.
"""
import argparse
import json
import sys

import numpy as np
import yaml


def mlp_policy(obs_dim, act_dim, pcfg):
    from evojax.policy.mlp import MLPPolicy
    return MLPPolicy(input_dim=obs_dim,
                     hidden_dims=list(pcfg.get('hidden', [64, 64])),
                     output_dim=act_dim,
                     output_act_fn=pcfg.get('output', 'tanh'))


def build_cartpole(tcfg, pcfg):
    from evojax.task.cartpole import CartPoleSwingUp
    hard = bool(tcfg.get('hard', False))
    steps = int(tcfg.get('max_steps', 1000))
    train = CartPoleSwingUp(harder=hard, test=False, max_steps=steps)
    test = CartPoleSwingUp(harder=hard, test=True, max_steps=steps)
    if pcfg['name'] != 'mlp':
        raise SystemExit('cartpole: policy %r not scored here' % pcfg['name'])
    return train, test, mlp_policy(5, 1, pcfg)


def build_waterworld(tcfg, pcfg):
    from evojax.task.waterworld import WaterWorld
    items = int(tcfg.get('num_items', 50))
    steps = int(tcfg.get('max_steps', 1000))
    train = WaterWorld(num_items=items, max_steps=steps, test=False)
    test = WaterWorld(num_items=items, max_steps=steps, test=True)
    if pcfg['name'] != 'mlp':
        raise SystemExit('waterworld: policy %r not scored here' % pcfg['name'])
    return train, test, mlp_policy(train.obs_shape[0], train.act_shape[0], pcfg)


BUILDERS = {
    'cartpole': build_cartpole,
    'waterworld': build_waterworld,
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
    tcfg, pcfg = cfg['task'], cfg['policy']
    trainer = cfg.get('trainer', {})
    build = BUILDERS.get(tcfg['name'])
    if build is None:
        sys.exit('evojax_score: task %r has no EvoJAX builder (known: %s)'
                 % (tcfg['name'], ', '.join(sorted(BUILDERS))))
    train, test, policy = build(tcfg, pcfg)

    import jax.numpy as jnp
    from evojax.obs_norm import ObsNormalizer
    from evojax.sim_mgr import SimManager

    z = np.load(a.npz)
    params = jnp.asarray(z['params'], dtype=jnp.float32).reshape(1, -1)
    if params.shape[1] != policy.num_params:
        sys.exit('evojax_score: %s has %d parameters, EvoJAX\'s policy %d'
                 % (a.npz, params.shape[1], policy.num_params))
    normalize = bool(trainer.get('normalize_obs', False))
    norm = ObsNormalizer(obs_shape=train.obs_shape, dummy=not normalize)
    n_eval = a.n_evaluations or int(trainer.get('n_evaluations', 100))
    seed = a.seed if a.seed is not None else int(cfg.get('seed', 42))
    mgr = SimManager(n_repeats=1, test_n_repeats=1, pop_size=1,
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
