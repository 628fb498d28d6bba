#!/usr/bin/env python3
"""Reference values for tests/test_fire.c (not run by make test).

Run with scikit-learn and scipy, outside the repository:
    python3 -m venv /tmp/fire-venv
    /tmp/fire-venv/bin/pip install scikit-learn scipy
    /tmp/fire-venv/bin/python tests/fire_ref.py

The model is core/fire.h's: normalize_y=True (y standardised, ddof 0),
ConstantKernel(s2) * Matern(ls, nu=2.5) + WhiteKernel(noise), alpha=0,
hyperparameter bounds as FIRE_GP_* (ls in [h, 10 span]).
"""
import math

import numpy as np
from scipy.stats import binomtest
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern, WhiteKernel

# The curves, also in tests/test_fire.c (printed with repr: exact doubles).
RNG = np.random.default_rng(20240607)
NOISE = np.round(RNG.normal(size=67), 4)  # one N(0, 1) draw, 4 decimals
CURVES = {
    "rise": (100.0 * np.arange(25),
             np.round([1 - math.exp(-100 * i / 700) + 0.04 * NOISE[i]
                       for i in range(25)], 4)),
    "slow": (50.0 + 25.0 * np.arange(30),
             np.round([0.3 * math.log(1 + i) + 0.05 * NOISE[25 + i]
                       for i in range(30)], 4)),
    "bumpy": (np.arange(12, dtype=float),
              np.round([2 + 0.5 * math.sin(i / 2) + 0.1 * NOISE[55 + i]
                        for i in range(12)], 4)),
}
FIXED_HP = {  # (s2, ls, noise)
    "rise": (1.5, 400.0, 0.05),
    "slow": (0.8, 120.0, 0.2),
    "bumpy": (2.0, 3.0, 1e-3),
}


def kernel(s2, ls, noise, x, fixed):
    span = x[-1] - x[0]
    h = span / (len(x) - 1)
    b = "fixed" if fixed else None
    return (ConstantKernel(s2, b or (1e-2, 1e2))
            * Matern(ls, b or (h, 10 * span), nu=2.5)
            + WhiteKernel(noise, b or (1e-6, 10.0)))


for name, (x, y) in CURVES.items():
    X = x.reshape(-1, 1)
    print(f"{name}: x = {x.tolist()}")
    print(f"{name}: y = {y.tolist()}")
    s2, ls, noise = FIXED_HP[name]
    gp = GaussianProcessRegressor(kernel(s2, ls, noise, x, True), alpha=0,
                                  normalize_y=True, optimizer=None).fit(X, y)
    mu = gp.predict(X)
    print(f"{name}: fixed hp {FIXED_HP[name]}: lml = "
          f"{gp.log_marginal_likelihood_value_!r}")
    print(f"{name}: fixed hp: mu[0] = {mu[0]!r}, mu[-1] = {mu[-1]!r}, "
          f"mu[5] = {mu[5]!r}")
    gp = GaussianProcessRegressor(kernel(1.0, 2 * (x[1] - x[0]), 0.1, x, False),
                                  alpha=0, normalize_y=True,
                                  n_restarts_optimizer=30,
                                  random_state=0).fit(X, y)
    k = gp.kernel_
    print(f"{name}: fit: s2 = {k.k1.k1.constant_value!r}, "
          f"ls = {k.k1.k2.length_scale!r}, noise = {k.k2.noise_level!r}, "
          f"lml = {gp.log_marginal_likelihood_value_!r}")

for k, n in [(0, 1), (1, 1), (0, 10), (3, 10), (7, 10), (10, 10), (5, 9),
             (120, 200), (150, 200), (200, 200), (60, 200), (0, 200)]:
    print(f"binomtest({k}, {n}, 0.5, 'greater') = "
          f"{binomtest(k, n, 0.5, alternative='greater').pvalue!r}")
