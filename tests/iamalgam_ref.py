#!/usr/bin/env python3
"""Reference values for tests/test_iamalgam.c, test_evosax_generations
(not run by make test).

Feeds the populations and fitness of the test's two scenarios (printed by
`build/tests/test_iamalgam --evosax-dump`) through evosax's own tell, as
EvoJAX 0.2.17's iAMaLGaM wrapper drives it, and prints the (c_mult,
nis_counter) trace and the final state in the test's initializer layout
(evo_refs).

evosax 0.1.6 (EvoJAX 0.2.17's era; its iAMaLGaM files are unchanged from
April 2023 to v.0.1.6) needs jax, chex and flax; EvoJAX's venv has them.
Outside the repository, without changing that venv:
    git clone https://github.com/RobertTLange/evosax /tmp/evosax-src
    git -C /tmp/evosax-src archive v.0.1.6 evosax | tar -x -C /tmp/evosax016
    make build/tests/test_iamalgam
    build/tests/test_iamalgam --evosax-dump > /tmp/iam.json
    PYTHONPATH=/tmp/evosax016 /work/ejvenv/bin/python \\
        tests/iamalgam_ref.py /tmp/iam.json
"""
import json
import sys

import jax
import jax.numpy as jnp
import numpy as np
import evosax


def vec(a):
    """Values of a as a C initializer list."""
    return ", ".join("%.9g" % v for v in np.asarray(a).ravel())


def flt(v):
    """A C float literal: 1.0f, 1.11111116f."""
    s = "%.9g" % v
    return (s if "." in s or "e" in s else s + ".0") + "f"


def run(sc):
    cls = evosax.Full_iAMaLGaM if sc["full"] else evosax.Indep_iAMaLGaM
    es = cls(popsize=10, num_dims=3, elite_ratio=0.35)
    # EvoJAX's wrapper: sigma_* from init/decay/limit_stdev, init_min =
    # init_max = 0; plus the test's nis_max_gens and theta_sdr
    p = es.default_params.replace(sigma_init=0.5, sigma_decay=0.9,
                                  sigma_limit=0.3, init_min=0.0,
                                  init_max=0.0, nis_max_gens=2,
                                  theta_sdr=sc["theta_sdr"])
    st = es.initialize(jax.random.PRNGKey(0), p)
    shaper = evosax.FitnessShaper(w_decay=sc["w_decay"], maximize=True)
    trace = []
    for g in sc["gens"]:
        x = jnp.array(g["x"], dtype=jnp.float32).reshape(10, 3)
        f = jnp.array(g["f"], dtype=jnp.float32)
        st = es.tell(x, shaper.apply(x, f), st, p)
        trace.append("{ %s, %d }" % (flt(float(st.c_mult)),
                                      int(st.nis_counter)))
    print("  { %s, %g, %g," % ("true" if sc["full"] else "false",
                               sc["w_decay"], sc["theta_sdr"]))
    print("    { " + ", ".join(trace) + " },")
    print("    { %s },\n    { %s },\n    { %s }," % (
        vec(st.mean), vec(st.mean_shift), vec(st.C)))
    print("    %.9g, %.9g, %s }," % (float(st.sigma),
                                      float(-st.best_fitness),
                                      flt(float(st.c_mult))))


def main():
    for sc in json.load(open(sys.argv[1])):
        run(sc)


if __name__ == "__main__":
    main()
