#!/usr/bin/python3
"""Self-test of the NumPy reference implementation: exact cases, closed forms (within 4 standard
errors), bookkeeping identities and distribution parametrisations.

    /usr/bin/python3 bench/reference/selftest.py      # prints "N passed, 0 failed"; exit 1 on failure
"""

from __future__ import annotations

import math
import os
import sys
import tempfile
import traceback

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import mistakesim_ref as ref  # noqa: E402

TESTDATA = os.path.join(HERE, "testdata")
results = []


def check(name, cond, detail=""):
    results.append((name, bool(cond), detail))
    print(f"{'ok  ' if cond else 'FAIL'} {name}" + (f"  [{detail}]" if detail else ""))


def within_se(name, x: np.ndarray, expected: float, k: float = 4.0):
    """Sample mean of x equals `expected` within k standard errors."""
    m = float(x.mean())
    se = float(x.std(ddof=1)) / math.sqrt(x.size)
    ok = abs(m - expected) <= k * se if se > 0 else abs(m - expected) <= 1e-9 * max(1.0, abs(expected))
    check(name, ok, f"mean {m:.6g}, expected {expected:.6g}, se {se:.3g}, z {(m - expected) / se if se else 0:.2f}")


def study_from(text: str) -> ref.Study:
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as f:
        f.write(text)
        name = f.name
    try:
        return ref.load_study(name)
    finally:
        os.unlink(name)


def run(study, trials, seed=12345, keep=False):
    return ref.run(study, trials, seed, target_opportunities=1 << 16, keep_mistakes=keep)


def total(cols):
    return cols["cost_known"] + cols["cost_unknown"]


# --- 1. the worked example of configs/seed-case.toml ------------------------------------------------

def test_seed_case():
    study = ref.load_study(os.path.join(TESTDATA, "seed-case.toml"))
    cols, sums, opps = run(study, 10_000)
    tot = total(cols)
    check("seed case: every trial costs exactly 80,000", np.all(tot == 80_000.0),
          f"min {tot.min()}, max {tot.max()}")
    check("seed case: all known", np.all(cols["cost_known"] == 80_000.0) and np.all(cols["cost_unknown"] == 0.0))
    check("seed case: recovered deal is a win, nobody 'should have bought'",
          np.all(cols["wins"] == 1) and np.all(cols["should_have_bought"] == 0))
    check("seed case: revenue 120,000 done right, 60,000 as it happened",
          np.all(cols["revenue_done_right"] == 120_000) and np.all(cols["revenue"] == 60_000))


# --- 2. closed forms -------------------------------------------------------------------------

BASE = """
[study]
value = "{value}"
[team]
reps = {reps}
hourly_cost = {hourly}
[pipeline]
{opps}
good_fit = {good_fit}
close_rate = {close_rate}
deal_size = {deal}
margin = {margin}
pilot_rate = {pilot}
repeat_customer = {repeat}
qualify_hours = {qh}
customer_value = {cv}
"""


def base(**kw):
    d = dict(value="revenue", reps=1, hourly=100, opps="opportunities = 50", good_fit=1, close_rate=1,
             deal=10_000, margin=1, pilot=0, repeat=0, qh=0, cv=0)
    d.update(kw)
    return BASE.format(**d)


def test_single_loss():
    n, p, v = 50, 0.2, 10_000.0
    s = study_from(base() + """
[[mistake]]
id = "m"
stage = "discover"
probability = 0.2
lose = 1
""")
    cols, sums, _ = run(s, 40_000)
    within_se("closed form: mean cost = N p v (one mistake, lose 1)", total(cols), n * p * v)
    check("closed form: unnoticed => all unknown", np.all(cols["cost_known"] == 0))
    sd = float(total(cols).std(ddof=1))
    exp_sd = v * math.sqrt(n * p * (1 - p))
    check("closed form: sd = v sqrt(N p (1-p)) within 3%", abs(sd / exp_sd - 1) < 0.03, f"{sd:.1f} vs {exp_sd:.1f}")
    within_se("closed form: should have bought = N p", cols["should_have_bought"], n * p)


def test_margin_and_discount():
    n, p, d, v, mg = 50, 0.3, 0.1, 10_000.0, 0.4
    s = study_from(base(value="margin", margin=mg) + """
[[mistake]]
id = "disc"
stage = "close"
probability = 0.3
noticed = 1
discount = 0.1
""")
    cols, _, _ = run(s, 40_000)
    within_se("closed form: discount cost = N p d v margin, all known", cols["cost_known"], n * p * d * v * mg)
    check("closed form: discounted deals still win", np.all(cols["wins"] == n))


def test_stage_order_and_lost_stops():
    # Written in the file in reverse order; stage order must put "early" first.
    n, p1, p2, v = 50, 0.3, 0.5, 10_000.0
    s = study_from(base() + """
[[mistake]]
id = "late"
stage = "close"
probability = 0.5
lose = 1
[[mistake]]
id = "early"
stage = "discover"
probability = 0.3
lose = 1
""")
    cols, sums, _ = run(s, 40_000, keep=True)
    ids = [m.id for m in s.mistakes]
    check("stage order: discover before close regardless of file order", ids == ["early", "late"], str(ids))
    late = sums["known_t"][1] + sums["unknown_t"][1]
    within_se("lost stops later stages: late mistake = N (1-p1) p2 v", late, n * (1 - p1) * p2 * v)
    occ_late = sums["occurrences"][1] / 40_000
    check("lost stops later stages: late occurrences within 1%", abs(occ_late / (n * (1 - p1) * p2) - 1) < 0.01,
          f"{occ_late:.3f}")


def test_discount_then_loss_remaining():
    # discount 0.25 then loss: the loss costs what remained; total per deal never exceeds its value.
    s = study_from(base(opps="opportunities = 1") + """
[[mistake]]
id = "disc"
stage = "propose"
probability = 1
discount = 0.25
[[mistake]]
id = "loss"
stage = "close"
probability = 1
lose = 1
noticed = 1
recovery = { hours = 0, saved = 0.5 }
""")
    cols, sums, _ = run(s, 100, keep=True)
    tot = total(cols)
    check("remaining value: discount 2,500 then loss with recovery keeps half of 7,500",
          np.all(sums["known_t"][0] + sums["unknown_t"][0] == 2_500) and np.all(sums["known_t"][1] == 3_750)
          and np.all(tot == 6_250) and np.all(cols["revenue"] == 3_750))


def test_nonbuyer_hours_and_churn():
    n, g, h, w, p_nd = 60, 0.4, 3.0, 5.0, 0.5
    r, pc, c, cv = 0.3, 0.2, 0.5, 20_000.0
    s = study_from(base(opps="opportunities = 60", good_fit=g, close_rate=0.5, qh=h, repeat=r, cv=cv) + """
[[mistake]]
id = "no-disqualify"
stage = "qualify"
applies_to = "poor_fit"
probability = 0.5
wasted_hours = 5
[[mistake]]
id = "churner"
stage = "pilot"
applies_to = "repeat"
probability = 0.2
churn = 0.5
[[mistake]]
id = "churner-2"
stage = "close"
applies_to = "repeat"
probability = 1
churn = 1
""")
    cols, sums, _ = run(s, 40_000, keep=True)
    within_se("nonbuyer hours = N (1-g) (qualify_hours + p wasted_hours)", cols["nonbuyer_hours"],
              n * (1 - g) * (h + p_nd * w))
    within_se("no-disqualify cost = N (1-g) p w hourly", sums["known_t"][0] + sums["unknown_t"][0],
              n * (1 - g) * p_nd * w * 100)
    within_se("churn cost = N r p c V", sums["known_t"][1] + sums["unknown_t"][1], n * r * pc * c * cv)
    # churn at most once per opportunity: the second mistake churns exactly the repeat customers left
    within_se("churn at most once: later churn = N r (1 - p c) V", sums["known_t"][2] + sums["unknown_t"][2],
              n * r * (1 - pc * c) * cv)


def test_per_rep_poisson():
    s = study_from(base(reps=12, opps='opportunities_per_rep = { dist = "poisson", mean = 40 }'))
    cols, _, _ = run(s, 40_000)
    o = cols["opportunities"]
    within_se("per-rep Poisson: mean opportunities = reps x mean", o, 480.0)
    check("per-rep Poisson: variance = 480 within 3%", abs(o.var(ddof=1) / 480 - 1) < 0.03, f"{o.var(ddof=1):.1f}")


def test_bookkeeping_identity():
    study = ref.load_study(os.path.join(TESTDATA, "mid-market-draft.toml"))
    cols, sums, _ = run(study, 2_000, keep=True)
    diff = cols["revenue_done_right"] - cols["revenue"] - cols["value_cost"]
    check("identity: revenue done right - revenue = value part of the cost (mid-market draft)",
          np.max(np.abs(diff)) < 1e-6 * max(1.0, cols["revenue_done_right"].max()), f"max |diff| {np.abs(diff).max():.3g}")
    per = sums["known_t"].sum(axis=0) + sums["unknown_t"].sum(axis=0)
    check("identity: total cost = sum of per-mistake costs", np.allclose(per, total(cols)))
    check("identity: wins + should_have_bought = wins done right",
          np.all(cols["wins"] + cols["should_have_bought"] == cols["wins_done_right"]))
    # chunking must not change the distribution, and results are reproducible for a seed
    a, _, _ = ref.run(study, 500, 7, target_opportunities=1 << 14)
    b, _, _ = ref.run(study, 500, 7, target_opportunities=1 << 14)
    check("reproducible: same seed, same results", np.array_equal(total(a), total(b)))


# --- 3. distribution parametrisations ------------------------------------------------------

def test_distributions():
    rng = np.random.default_rng(99)
    n = 400_000

    def dist(spec):
        return ref.Dist.parse(spec, "test")

    def mean_ok(name, spec, expected):
        within_se(f"dist {name}: mean", dist(spec).sample(rng, n), expected)

    mean_ok("uniform", {"dist": "uniform", "min": 2, "max": 6}, 4.0)
    mean_ok("triangular", {"dist": "triangular", "min": 1, "mode": 2, "max": 6}, 3.0)
    mean_ok("pert", {"dist": "pert", "min": 0.1, "mode": 0.25, "max": 0.5}, (0.1 + 4 * 0.25 + 0.5) / 6)
    mean_ok("pert lambda 2", {"dist": "pert", "min": 0, "mode": 1, "max": 4, "lambda": 2}, (0 + 2 * 1 + 4) / 4)
    mean_ok("normal", {"dist": "normal", "mean": 5, "sd": 2}, 5.0)
    tn = dist({"dist": "normal", "mean": 12, "sd": 6, "min": 0})
    x = tn.sample(rng, n)
    check("dist truncated normal: within bounds", x.min() >= 0)
    within_se("dist truncated normal: mean (closed form)", x, tn.mean())
    tn2 = dist({"dist": "normal", "mean": 0, "sd": 1, "min": 3, "max": 4})  # narrow tail: inverse CDF
    x2 = tn2.sample(rng, 20_000)
    check("dist truncated normal (tail): within bounds", x2.min() >= 3 and x2.max() <= 4)
    within_se("dist truncated normal (tail): mean", x2, tn2.mean())
    mean_ok("lognormal mu/sigma", {"dist": "lognormal", "mu": 1, "sigma": 0.5}, math.exp(1.125))
    mean_ok("lognormal mean/sd", {"dist": "lognormal", "mean": 100, "sd": 40}, 100.0)
    ln = dist({"dist": "lognormal", "p05": 15_000, "p95": 250_000}).sample(rng, n)
    q = np.quantile(ln, [0.05, 0.95])
    check("dist lognormal p05/p95: quantiles within 2%", abs(q[0] / 15_000 - 1) < 0.02 and abs(q[1] / 250_000 - 1) < 0.02,
          f"{q[0]:.0f}, {q[1]:.0f}")
    ln2 = dist({"dist": "lognormal", "median": 30, "p90": 80}).sample(rng, n)
    q = np.quantile(ln2, [0.5, 0.9])
    check("dist lognormal median/p90: quantiles within 2%", abs(q[0] / 30 - 1) < 0.02 and abs(q[1] / 80 - 1) < 0.02,
          f"{q[0]:.2f}, {q[1]:.2f}")
    b = dist({"dist": "beta", "mean": 0.5, "sd": 0.15}).sample(rng, n)
    check("dist beta mean/sd", abs(b.mean() - 0.5) < 0.002 and abs(b.std() - 0.15) < 0.002, f"{b.mean():.4f} {b.std():.4f}")
    mean_ok("beta alpha/beta", {"dist": "beta", "alpha": 2, "beta": 6}, 0.25)
    mean_ok("beta wins/losses", {"dist": "beta", "wins": 3, "losses": 7}, 4 / 12)
    g = dist({"dist": "gamma", "mean": 3000, "sd": 2000}).sample(rng, n)
    check("dist gamma mean/sd", abs(g.mean() / 3000 - 1) < 0.01 and abs(g.std() / 2000 - 1) < 0.01,
          f"{g.mean():.0f} {g.std():.0f}")
    mean_ok("gamma shape/scale", {"dist": "gamma", "shape": 2, "scale": 3}, 6.0)
    mean_ok("poisson", {"dist": "poisson", "mean": 40}, 40.0)
    nb = dist({"dist": "negbinomial", "mean": 40, "dispersion": 5}).sample(rng, n)
    check("dist negbinomial: mean and variance = m + m^2/k",
          abs(nb.mean() / 40 - 1) < 0.01 and abs(nb.var() / (40 + 1600 / 5) - 1) < 0.03, f"{nb.mean():.2f} {nb.var():.1f}")
    mean_ok("discrete", {"dist": "discrete", "values": [1, 2, 10], "weights": [1, 1, 2]}, 5.75)
    mean_ok("empirical", {"dist": "empirical", "values": [1, 2, 3, 10]}, 4.0)
    for spec in ({"dist": "pert", "min": 1, "mode": 0, "max": 2}, {"dist": "beta", "mean": 0.5},
                 {"dist": "lognormal", "p05": 10}, {"dist": "nope"}, {"dist": "uniform", "min": 0, "max": 1, "mod": 3}):
        try:
            dist(spec)
            check(f"dist refused: {spec}", False)
        except ref.StudyError:
            check(f"dist refused: {spec}", True)


def test_unknown_key_refused():
    try:
        study_from(base() + '[[mistake]]\nid = "m"\nstage = "close"\nprobability = 0.1\nloose = 1\n')
        check("unknown key in a mistake is refused", False)
    except ref.StudyError as e:
        check("unknown key in a mistake is refused", "loose" in str(e), str(e))


def test_probability_range_refused():
    try:
        study_from(base(close_rate=1.3))
        check("a probability of 1.3 is refused", False)
    except ref.StudyError as e:
        check("a probability of 1.3 is refused", "pipeline.close_rate" in str(e), str(e))


def main() -> int:
    tests = [test_seed_case, test_single_loss, test_margin_and_discount, test_stage_order_and_lost_stops,
             test_discount_then_loss_remaining, test_nonbuyer_hours_and_churn, test_per_rep_poisson,
             test_bookkeeping_identity, test_distributions, test_unknown_key_refused,
             test_probability_range_refused]
    for t in tests:
        try:
            t()
        except Exception:  # a crashing test is a failure, not a crash of the suite
            traceback.print_exc()
            results.append((t.__name__, False, "exception"))
    passed = sum(1 for _, ok, _ in results if ok)
    failed = len(results) - passed
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
