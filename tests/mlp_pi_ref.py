#!/usr/bin/env python3
"""Reference values for tests/test_mlp_pi.c (not run by make test): EvoJAX
0.2.17's PermutationInvariantPolicy (evojax/policy/mlp_pi.py) on fixed
parameters and observation sequences, the recurrent state carried.

Run with the EvoJAX venv (jax 0.4.30, flax 0.8.5, evojax 0.2.17):
    /work/ejvenv/bin/python tests/mlp_pi_ref.py          # C initializers
    /work/ejvenv/bin/python tests/mlp_pi_ref.py --check  # vs the host reference

--check builds policies/mlp_pi.c into a shared library (cc) and prints the
largest |EvoJAX - mlp_pi_ref_forward| over all actions of each case.

Parameters and observations are multiples of 2^-10 (exact in float32),
from a multiplicative hash that tests/test_mlp_pi.c computes the same way:
    pin(i, salt) = ((((i + salt * 7919) * 2654435761) mod 2^32) >> 21) - 1024) / 1024
params[i] = 0.5 pin(i, 1); obs[b][t][j] = 2 pin((b * T + t) * N + j, 2).
"""
import ctypes
import os
import subprocess
import sys
import tempfile
import types

import numpy as np

# (name, act_dim, hidden_dim, msg_dim, pos_em_dim, obs_dim, steps, batch)
CASES = [
    ("cartpole", 1, 64, 32, 8, 5, 6, 2),  # EvoJAX's cartpole example
    ("odd", 2, 20, 7, 5, 3, 5, 2),        # odd widths, 2 actions
]


def pin(i, salt):
    i = np.asarray(i, dtype=np.uint64)
    h = ((i + np.uint64(salt * 7919)) * np.uint64(2654435761)) % np.uint64(2**32)
    return ((h >> np.uint64(21)).astype(np.int64) - 1024) / 1024.0


def case_inputs(num_params, obs_dim, steps, batch):
    params = (0.5 * pin(np.arange(num_params), 1)).astype(np.float32)
    obs = (2.0 * pin(np.arange(batch * steps * obs_dim), 2)).astype(np.float32)
    return params, obs.reshape(batch, steps, obs_dim)


def evojax_actions(act_dim, hidden, msg, pos_em, obs_dim, steps, batch):
    import jax.numpy as jnp
    from evojax.policy import PermutationInvariantPolicy
    pol = PermutationInvariantPolicy(act_dim=act_dim, hidden_dim=hidden,
                                     msg_dim=msg, pos_em_dim=pos_em)
    params, obs = case_inputs(pol.num_params, obs_dim, steps, batch)
    p = jnp.asarray(np.tile(params, (batch, 1)))
    st = pol.reset(types.SimpleNamespace(obs=jnp.zeros((batch, obs_dim))))
    out = []
    for t in range(steps):
        a, st = pol.get_actions(types.SimpleNamespace(obs=jnp.asarray(obs[:, t])), p, st)
        out.append(np.asarray(a, dtype=np.float32))
    return pol.num_params, np.stack(out, axis=1)  # (batch, steps, act)


def host_actions(lib, act_dim, hidden, msg, pos_em, obs_dim, steps, batch, P):
    class Cfg(ctypes.Structure):
        _fields_ = [("hidden_dim", ctypes.c_int), ("msg_dim", ctypes.c_int),
                    ("pos_em_dim", ctypes.c_int)]
    cfg = Cfg(hidden, msg, pos_em)
    fp = ctypes.POINTER(ctypes.c_float)
    params, obs = case_inputs(P, obs_dim, steps, batch)
    out = np.zeros((batch, steps, act_dim), dtype=np.float32)
    ps = np.zeros(2 * obs_dim * pos_em + act_dim, dtype=np.float32)
    for b in range(batch):
        lib.mlp_pi_ref_reset(ctypes.byref(cfg), obs_dim, act_dim, ps.ctypes.data_as(fp))
        for t in range(steps):
            o = np.ascontiguousarray(obs[b, t])
            a = np.zeros(act_dim, dtype=np.float32)
            rc = lib.mlp_pi_ref_forward(ctypes.byref(cfg), obs_dim, act_dim,
                                        params.ctypes.data_as(fp), ps.ctypes.data_as(fp),
                                        o.ctypes.data_as(fp), a.ctypes.data_as(fp))
            assert rc == 0
            out[b, t] = a
    return out


def main():
    check = "--check" in sys.argv[1:]
    lib = None
    if check:
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        so = os.path.join(tempfile.mkdtemp(), "mlp_pi.so")
        subprocess.check_call(["cc", "-std=c11", "-O2", "-shared", "-fPIC",
                               "-I" + root, os.path.join(root, "policies/mlp_pi.c"),
                               "-o", so, "-lm"])
        lib = ctypes.CDLL(so)
    for name, A, H, M, E, N, T, B in CASES:
        P, ref = evojax_actions(A, H, M, E, N, T, B)
        if check:
            host = host_actions(lib, A, H, M, E, N, T, B, P)
            print("%s: P %d, max |EvoJAX - host| %.3g over %d actions"
                  % (name, P, float(np.max(np.abs(host - ref))), ref.size))
            continue
        vals = ", ".join("%.9g" % v for v in ref.reshape(-1))
        print("/* %s: act %d, hidden %d, msg %d, pos_em %d, obs %d, %d steps x %d,"
              " P %d: (batch, steps, act) */" % (name, A, H, M, E, N, T, B, P))
        print("static const float ref_%s[] = { %s };" % (name, vals))


if __name__ == "__main__":
    main()
