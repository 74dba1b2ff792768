#!/usr/bin/python3
"""mistakesim_ref: an independent, vectorised NumPy implementation of the mistakesim model.

It implements docs/model.md (the model as built) with NumPy's own generator, so its random numbers
differ from the C++ engine's Philox draws; only the distributions agree. It serves two purposes:

* a speed baseline for the C++ engine (ns per opportunity), and
* an independent check of the model: both programs must agree within Monte Carlo error.

Vectorisation: trials are processed in chunks. For a chunk, every year-level input is an array over
the chunk's trials; the opportunity counts are drawn, and all the chunk's opportunities become flat
arrays with a trial index `tidx`. Each mistake is then applied, in stage order, as array operations
on the opportunities it applies to (masks for alive / lost / churned), and per-trial sums are taken
with segment sums (np.add.reduceat). No Python loop runs over opportunities or trials.

Run with Debian's Python (which has NumPy):

    /usr/bin/python3 bench/reference/mistakesim_ref.py STUDY.toml [--trials N] [--seed S] [--json OUT]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import re
import sys
import time
import tomllib
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np

_STD_NORMAL = NormalDist()


class StudyError(Exception):
    """Bad study file: reported with the parameter path, exit status 2."""


# ----------------------------------------------------------------------------------------------
# Distributions
# ----------------------------------------------------------------------------------------------

def _z(p: float) -> float:
    return _STD_NORMAL.inv_cdf(p)


def _phi(x: float) -> float:
    """Standard normal CDF, accurate in the lower tail (erfc)."""
    return 0.5 * math.erfc(-x / math.sqrt(2.0))


_QUANTILE_KEY = re.compile(r"^p(\d+(?:\.\d+)?)$")


def _quantile_level(key: str) -> float | None:
    """'p05' -> 0.05, 'p95' -> 0.95, 'p90' -> 0.9, 'p99.5' -> 0.995, 'median' -> 0.5."""
    if key == "median":
        return 0.5
    m = _QUANTILE_KEY.match(key)
    if not m:
        return None
    level = float(m.group(1)) / 100.0
    return level if 0.0 < level < 1.0 else None


@dataclass
class Dist:
    """A distribution in canonical form (same canonical parameters as include/mistakesim/distribution.hpp)."""

    kind: str
    p: tuple = ()
    values: np.ndarray | None = None
    cumulative: np.ndarray | None = None

    # -- construction ------------------------------------------------------------------------

    @staticmethod
    def parse(spec, path: str, base_dir: str = ".") -> "Dist":
        if isinstance(spec, bool):
            raise StudyError(f"{path}: expected a number or a distribution table, got {spec!r}")
        if isinstance(spec, (int, float)):
            return Dist("constant", (float(spec),))
        if not isinstance(spec, dict) or "dist" not in spec:
            raise StudyError(f"{path}: expected a number or a table with 'dist', got {spec!r}")
        kind = spec["dist"]
        keys = {k: v for k, v in spec.items() if k != "dist"}

        def need(*names):
            missing = [n for n in names if n not in keys]
            if missing:
                raise StudyError(f"{path}: {kind} needs {', '.join(missing)}")
            return [float(keys[n]) for n in names]

        def allow(*names):
            extra = [k for k in keys if k not in names]
            if extra:
                raise StudyError(f"{path}: unknown key(s) for {kind}: {', '.join(extra)}")

        if kind == "constant":
            allow("value")
            return Dist("constant", tuple(need("value")))
        if kind == "uniform":
            allow("min", "max")
            lo, hi = need("min", "max")
            if not lo <= hi:
                raise StudyError(f"{path}: uniform needs min <= max")
            return Dist("uniform", (lo, hi))
        if kind == "triangular":
            allow("min", "mode", "max")
            lo, mode, hi = need("min", "mode", "max")
            if not lo <= mode <= hi:
                raise StudyError(f"{path}: triangular needs min <= mode <= max")
            return Dist("triangular", (lo, mode, hi))
        if kind == "pert":
            allow("min", "mode", "max", "lambda")
            lo, mode, hi = need("min", "mode", "max")
            lam = float(keys.get("lambda", 4.0))
            if not lo <= mode <= hi or lam <= 0:
                raise StudyError(f"{path}: pert needs min <= mode <= max and lambda > 0")
            if hi == lo:
                return Dist("constant", (lo,))
            a = 1.0 + lam * (mode - lo) / (hi - lo)
            b = 1.0 + lam * (hi - mode) / (hi - lo)
            return Dist("pert", (lo, hi, a, b))
        if kind == "normal":
            allow("mean", "sd", "min", "max")
            mean, sd = need("mean", "sd")
            lo = float(keys.get("min", -math.inf))
            hi = float(keys.get("max", math.inf))
            if sd < 0 or not lo < hi:
                raise StudyError(f"{path}: normal needs sd >= 0 and min < max")
            return Dist("normal", (mean, sd, lo, hi))
        if kind == "lognormal":
            quantiles = {}
            for k in keys:
                level = _quantile_level(k)
                if level is not None:
                    quantiles[level] = float(keys[k])
            if "mu" in keys or "sigma" in keys:
                allow("mu", "sigma")
                mu, sigma = need("mu", "sigma")
            elif "mean" in keys or "sd" in keys:
                allow("mean", "sd")
                mean, sd = need("mean", "sd")
                if mean <= 0 or sd < 0:
                    raise StudyError(f"{path}: lognormal needs mean > 0, sd >= 0")
                sigma = math.sqrt(math.log1p((sd / mean) ** 2))
                mu = math.log(mean) - 0.5 * sigma * sigma
            else:
                bad = [k for k in keys if _quantile_level(k) is None]
                if bad:
                    raise StudyError(f"{path}: unknown key(s) for lognormal: {', '.join(bad)}")
                if len(quantiles) != 2:
                    raise StudyError(f"{path}: lognormal needs mu/sigma, mean/sd, or two quantiles "
                                     f"(median/p90, p05/p95 ...)")
                (la, qa), (lb, qb) = sorted(quantiles.items())
                if not 0 < qa < qb:
                    raise StudyError(f"{path}: lognormal quantiles must be positive and increasing")
                sigma = (math.log(qb) - math.log(qa)) / (_z(lb) - _z(la))
                mu = math.log(qa) - sigma * _z(la)
            if sigma < 0:
                raise StudyError(f"{path}: lognormal needs sigma >= 0")
            return Dist("lognormal", (mu, sigma))
        if kind == "beta":
            if "alpha" in keys or "beta" in keys:
                allow("alpha", "beta")
                a, b = need("alpha", "beta")
            elif "wins" in keys or "losses" in keys:
                allow("wins", "losses")
                w, l = need("wins", "losses")
                a, b = w + 1.0, l + 1.0  # uniform prior updated by the record
            else:
                allow("mean", "sd")
                mean, sd = need("mean", "sd")
                if not 0 < mean < 1 or not 0 < sd * sd < mean * (1 - mean):
                    raise StudyError(f"{path}: beta needs 0 < mean < 1 and sd^2 < mean (1 - mean)")
                nu = mean * (1 - mean) / (sd * sd) - 1.0
                a, b = mean * nu, (1 - mean) * nu
            if a <= 0 or b <= 0:
                raise StudyError(f"{path}: beta needs alpha, beta > 0")
            return Dist("beta", (a, b))
        if kind == "gamma":
            if "shape" in keys:
                allow("shape", "scale")
                k, theta = need("shape", "scale")
            else:
                allow("mean", "sd")
                mean, sd = need("mean", "sd")
                if mean <= 0 or sd <= 0:
                    raise StudyError(f"{path}: gamma needs mean, sd > 0")
                k, theta = (mean / sd) ** 2, sd * sd / mean
            if k <= 0 or theta <= 0:
                raise StudyError(f"{path}: gamma needs shape, scale > 0")
            return Dist("gamma", (k, theta))
        if kind == "poisson":
            allow("mean")
            (mean,) = need("mean")
            if mean < 0:
                raise StudyError(f"{path}: poisson needs mean >= 0")
            return Dist("poisson", (mean,))
        if kind == "negbinomial":
            allow("mean", "dispersion")
            mean, k = need("mean", "dispersion")
            if mean < 0 or k <= 0:
                raise StudyError(f"{path}: negbinomial needs mean >= 0, dispersion > 0")
            return Dist("negbinomial", (mean, k))
        if kind == "discrete":
            allow("values", "weights")
            vals = np.asarray(keys["values"], dtype=float)
            w = np.asarray(keys.get("weights", np.ones(len(vals))), dtype=float)
            if vals.size == 0 or w.shape != vals.shape or (w < 0).any() or w.sum() <= 0:
                raise StudyError(f"{path}: discrete needs values and as many non-negative weights")
            cum = np.cumsum(w) / w.sum()
            cum[-1] = 1.0
            return Dist("discrete", (), vals, cum)
        if kind == "empirical":
            allow("values", "file", "column")
            if "values" in keys:
                vals = np.asarray(keys["values"], dtype=float)
            else:
                fname = os.path.join(base_dir, keys["file"])
                with open(fname, newline="") as f:
                    vals = np.asarray([float(r[keys["column"]]) for r in csv.DictReader(f)
                                       if r[keys["column"]].strip()], dtype=float)
            if vals.size == 0:
                raise StudyError(f"{path}: empirical needs at least one value")
            return Dist("empirical", (), vals)
        raise StudyError(f"{path}: unknown distribution {kind!r}")

    # -- properties --------------------------------------------------------------------------

    @property
    def is_constant(self) -> bool:
        return self.kind == "constant"

    @property
    def is_zero(self) -> bool:
        return self.kind == "constant" and self.p[0] == 0.0

    def mean(self) -> float:
        k, p = self.kind, self.p
        if k == "constant":
            return p[0]
        if k == "uniform":
            return 0.5 * (p[0] + p[1])
        if k == "triangular":
            return sum(p) / 3.0
        if k == "pert":
            return p[0] + (p[1] - p[0]) * p[2] / (p[2] + p[3])
        if k == "normal":
            mean, sd, lo, hi = p
            if sd == 0:
                return min(max(mean, lo), hi)
            a, b = (lo - mean) / sd, (hi - mean) / sd
            pdf = lambda x: 0.0 if math.isinf(x) else math.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
            return mean + sd * (pdf(a) - pdf(b)) / (_phi(b) - _phi(a))
        if k == "lognormal":
            return math.exp(p[0] + 0.5 * p[1] ** 2)
        if k == "beta":
            return p[0] / (p[0] + p[1])
        if k == "gamma":
            return p[0] * p[1]
        if k in ("poisson", "negbinomial"):
            return p[0]
        if k == "discrete":
            w = np.diff(np.concatenate([[0.0], self.cumulative]))
            return float((w * self.values).sum())
        return float(self.values.mean())

    # -- sampling ----------------------------------------------------------------------------

    def sample(self, rng: np.random.Generator, size) -> np.ndarray:
        k, p = self.kind, self.p
        if k == "constant":
            return np.full(size, p[0])
        if k == "uniform":
            return rng.uniform(p[0], p[1], size)
        if k == "triangular":
            lo, mode, hi = p
            if lo == hi:
                return np.full(size, lo)
            return rng.triangular(lo, mode, hi, size)
        if k == "pert":
            return p[0] + (p[1] - p[0]) * rng.beta(p[2], p[3], size)
        if k == "normal":
            return self._sample_normal(rng, size)
        if k == "lognormal":
            return rng.lognormal(p[0], p[1], size)
        if k == "beta":
            return rng.beta(p[0], p[1], size)
        if k == "gamma":
            return rng.gamma(p[0], p[1], size)
        if k == "poisson":
            return rng.poisson(p[0], size).astype(float)
        if k == "negbinomial":  # gamma-Poisson mixture: variance = mean + mean^2 / k
            mean, disp = p
            return rng.poisson(rng.gamma(disp, mean / disp, size)).astype(float)
        if k == "discrete":
            return self.values[np.searchsorted(self.cumulative, rng.random(size), side="right")]
        return self.values[rng.integers(0, self.values.size, size)]

    def _sample_normal(self, rng, size) -> np.ndarray:
        mean, sd, lo, hi = self.p
        x = rng.normal(mean, sd, size)
        if math.isinf(lo) and math.isinf(hi):
            return x
        if sd == 0:
            return np.clip(x, lo, hi)
        a, b = (lo - mean) / sd, (hi - mean) / sd
        # Mirror so the interval sits in the lower tail, where erfc-based CDF values are accurate.
        flip = a > 0
        if flip:
            a, b = -b, -a
        pa, pb = _phi(a), _phi(b)
        if pb - pa > 0.05:  # rejection: redraw the values outside the interval
            x = np.asarray(x, dtype=float)
            flat = x.reshape(-1)
            bad = np.flatnonzero((flat < lo) | (flat > hi))
            while bad.size:
                flat[bad] = rng.normal(mean, sd, bad.size)
                bad = bad[(flat[bad] < lo) | (flat[bad] > hi)]
            return x
        # Narrow interval in a tail: inverse-CDF sampling (scalar inverse, rare case).
        u = pa + (pb - pa) * rng.random(size)
        inv = np.frompyfunc(lambda q: _STD_NORMAL.inv_cdf(min(max(q, 1e-300), 1 - 1e-16)), 1, 1)
        zz = inv(u).astype(float)
        if flip:
            zz = -zz
        return np.clip(mean + sd * zz, lo, hi)


# ----------------------------------------------------------------------------------------------
# Study
# ----------------------------------------------------------------------------------------------

APPLIES = ("all", "good_fit", "poor_fit", "pilot", "repeat")
DEFAULT_STAGES = ["qualify", "discover", "pilot", "propose", "close"]


@dataclass
class Mistake:
    id: str
    name: str
    stage: str
    stage_index: int
    applies_to: str
    probability: Dist
    noticed: Dist
    lose: Dist
    churn: Dist
    wasted_hours: Dist
    direct_cost: Dist
    discount: Dist
    has_recovery: bool = False
    recovery_hours: Dist | None = None
    recovery_hourly_cost: Dist | None = None  # None: the team's hourly cost that year
    recovery_saved: Dist | None = None


@dataclass
class Study:
    name: str
    file: str
    trials: int
    seed: int
    currency: str
    value: str
    reps: int
    hourly_cost: Dist
    good_fit: Dist
    close_rate: Dist
    margin: Dist
    pilot_rate: Dist
    repeat_customer: Dist
    per_rep: bool
    opportunities: Dist
    deal_size: Dist
    qualify_hours: Dist
    customer_value: Dist
    stages: list
    mistakes: list = field(default_factory=list)


def _check_keys(table: dict, allowed, path: str):
    if not isinstance(table, dict):
        raise StudyError(f"{path}: expected a table")
    extra = [k for k in table if k not in allowed]
    if extra:
        raise StudyError(f"{path}: unknown key(s): {', '.join(extra)}")


def load_study(filename: str) -> Study:
    with open(filename, "rb") as f:
        try:
            doc = tomllib.load(f)
        except tomllib.TOMLDecodeError as e:
            raise StudyError(f"{filename}: {e}") from None
    base = os.path.dirname(os.path.abspath(filename))
    _check_keys(doc, {"study", "team", "pipeline", "process", "mistake", "intervention",
                      "correlation"}, "(top level)")
    st = doc.get("study", {})
    _check_keys(st, {"name", "trials", "seed", "currency", "value"}, "study")
    team = doc.get("team", {})
    _check_keys(team, {"reps", "hourly_cost"}, "team")
    pl = doc.get("pipeline", {})
    _check_keys(pl, {"opportunities_per_rep", "opportunities", "good_fit", "close_rate", "deal_size",
                     "margin", "qualify_hours", "pilot_rate", "repeat_customer", "customer_value"},
                "pipeline")
    proc = doc.get("process", {})
    _check_keys(proc, {"stages"}, "process")
    if doc.get("correlation"):
        print("mistakesim_ref: warning: [[correlation]] is not implemented here; inputs drawn "
              "independently", file=sys.stderr)

    def d(table, key, path, default=None, required=False):
        if key not in table:
            if required:
                raise StudyError(f"{path}: required")
            return Dist("constant", (float(default),))
        return Dist.parse(table[key], path, base)

    def prob(dist, path):
        """A probability lies in [0, 1]: refuse constants and bounded distributions outside it."""
        lo_hi = {"constant": (0, 0), "uniform": (0, 1), "triangular": (0, 2), "pert": (0, 1)}.get(dist.kind)
        if lo_hi and not (0.0 <= dist.p[lo_hi[0]] and dist.p[lo_hi[1]] <= 1.0):
            raise StudyError(f"{path}: a probability lies in [0, 1], got {dist.p[lo_hi[0]]}..{dist.p[lo_hi[1]]}")
        return dist

    value = st.get("value", "revenue")
    if value not in ("revenue", "margin"):
        raise StudyError(f"study.value: expected \"revenue\" or \"margin\", got {value!r}")
    if ("opportunities_per_rep" in pl) == ("opportunities" in pl):
        raise StudyError("pipeline: exactly one of opportunities_per_rep / opportunities is required")
    per_rep = "opportunities_per_rep" in pl
    okey = "opportunities_per_rep" if per_rep else "opportunities"
    stages = list(proc.get("stages", DEFAULT_STAGES))

    study = Study(
        name=st.get("name", os.path.basename(filename)), file=filename,
        trials=int(st.get("trials", 100_000)), seed=int(st.get("seed", 1)),
        currency=st.get("currency", "USD"), value=value, reps=int(team.get("reps", 1)),
        hourly_cost=d(team, "hourly_cost", "team.hourly_cost", 0),
        good_fit=prob(d(pl, "good_fit", "pipeline.good_fit", 1), "pipeline.good_fit"),
        close_rate=prob(d(pl, "close_rate", "pipeline.close_rate", required=True), "pipeline.close_rate"),
        margin=prob(d(pl, "margin", "pipeline.margin", 1), "pipeline.margin"),
        pilot_rate=prob(d(pl, "pilot_rate", "pipeline.pilot_rate", 0), "pipeline.pilot_rate"),
        repeat_customer=prob(d(pl, "repeat_customer", "pipeline.repeat_customer", 0), "pipeline.repeat_customer"),
        per_rep=per_rep, opportunities=d(pl, okey, f"pipeline.{okey}", required=True),
        deal_size=d(pl, "deal_size", "pipeline.deal_size", required=True),
        qualify_hours=d(pl, "qualify_hours", "pipeline.qualify_hours", 0),
        customer_value=d(pl, "customer_value", "pipeline.customer_value", 0),
        stages=stages,
    )
    if study.reps < 0:
        raise StudyError("team.reps: expected >= 0")

    mistakes = []
    ids = set()
    for i, m in enumerate(doc.get("mistake", [])):
        _check_keys(m, {"id", "name", "stage", "applies_to", "probability", "noticed", "lose", "churn",
                        "wasted_hours", "direct_cost", "discount", "recovery"}, f"mistake[{i}]")
        for key in ("id", "stage", "probability"):
            if key not in m:
                raise StudyError(f"mistake[{i}].{key}: required")
        mid = m["id"]
        if mid in ids:
            raise StudyError(f"mistake.{mid}: duplicate id")
        ids.add(mid)
        p = f"mistake.{mid}"
        if m["stage"] not in stages:
            raise StudyError(f"{p}.stage: {m['stage']!r} is not one of process.stages {stages}")
        applies = m.get("applies_to", "all")
        if applies not in APPLIES:
            raise StudyError(f"{p}.applies_to: expected one of {APPLIES}, got {applies!r}")
        mk = Mistake(
            id=mid, name=m.get("name", mid), stage=m["stage"], stage_index=stages.index(m["stage"]),
            applies_to=applies, probability=prob(d(m, "probability", f"{p}.probability"), f"{p}.probability"),
            noticed=prob(d(m, "noticed", f"{p}.noticed", 0), f"{p}.noticed"),
            lose=prob(d(m, "lose", f"{p}.lose", 0), f"{p}.lose"),
            churn=prob(d(m, "churn", f"{p}.churn", 0), f"{p}.churn"),
            wasted_hours=d(m, "wasted_hours", f"{p}.wasted_hours", 0),
            direct_cost=d(m, "direct_cost", f"{p}.direct_cost", 0),
            discount=d(m, "discount", f"{p}.discount", 0))
        if "recovery" in m:
            r = m["recovery"]
            _check_keys(r, {"hours", "hourly_cost", "saved"}, f"{p}.recovery")
            mk.has_recovery = True
            mk.recovery_hours = d(r, "hours", f"{p}.recovery.hours", 0)
            mk.recovery_saved = d(r, "saved", f"{p}.recovery.saved", 0)
            if "hourly_cost" in r:
                mk.recovery_hourly_cost = d(r, "hourly_cost", f"{p}.recovery.hourly_cost")
        mistakes.append(mk)
    # stage order, file order within a stage (stable sort)
    study.mistakes = sorted(mistakes, key=lambda mk: mk.stage_index)
    return study


# ----------------------------------------------------------------------------------------------
# Simulation
# ----------------------------------------------------------------------------------------------

def _year(dist: Dist, rng, n: int, lo=0.0, hi=math.inf):
    """A year-level input for n trials: a Python float when constant (cheap broadcasting in the
    opportunity arrays), else an array over trials, clamped to the valid range."""
    if dist.is_constant:
        return float(min(max(dist.p[0], lo), hi))
    return np.clip(dist.sample(rng, n), lo, hi)


def _at(year_value, tidx):
    """A year-level value broadcast to opportunities (or occurrences) with trial index tidx."""
    return year_value if isinstance(year_value, float) else year_value[tidx]


def _thr(year_value):
    """A year-level probability as a float32 threshold for the uniforms of _bern."""
    return np.float32(year_value) if isinstance(year_value, float) else year_value.astype(np.float32)


def _bern(rng, thr, t) -> np.ndarray:
    """Bernoulli events for the opportunities / occurrences with trial index t: u < p with u a
    float32 uniform (resolution 2^-24, cf. the C++ engine's 32-bit integer thresholds)."""
    u = rng.random(t.size, dtype=np.float32)
    return u < (thr if isinstance(thr, np.float32) else thr[t])


def _tsum(t, w, T: int, counts=None) -> np.ndarray:
    """Per-trial sums of w over a trial index t that is sorted (flat opportunity arrays and their
    flatnonzero subsets are). Segment sums with np.add.reduceat: several times faster than a
    weighted np.bincount. Booleans are counted."""
    out = np.zeros(T)
    if t.size == 0:
        return out
    if counts is None:
        counts = np.bincount(t, minlength=T)
    nz = counts > 0
    starts = (np.cumsum(counts) - counts)[nz]
    if w.dtype == np.bool_:
        out[nz] = np.add.reduceat(w.view(np.int8), starts, dtype=np.int64)
    else:
        out[nz] = np.add.reduceat(w, starts)
    return out


def _amount(dist: Dist, rng, n: int, lo=0.0, hi=math.inf) -> np.ndarray:
    """Per-opportunity / per-occurrence amounts, clamped to the valid range."""
    if dist.is_constant:
        return np.full(n, min(max(dist.p[0], lo), hi))
    return np.clip(dist.sample(rng, n), lo, hi)


def _counts(study: Study, rng, n: int) -> np.ndarray:
    """Opportunities per trial for n trials."""
    d = study.opportunities
    r = study.reps if study.per_rep else 1
    if d.kind == "poisson":          # sum of r Poisson(m) is Poisson(r m)
        return rng.poisson(r * d.p[0], n).astype(np.int64)
    if d.kind == "negbinomial":      # sum of r NB(m, k) is NB(r m, r k)
        mean, k = r * d.p[0], r * d.p[1]
        return rng.poisson(rng.gamma(k, mean / k, n)).astype(np.int64) if mean > 0 else np.zeros(n, np.int64)
    if d.is_constant:
        return np.full(n, r * max(0, int(math.floor(d.p[0] + 0.5))), dtype=np.int64)
    x = np.maximum(np.floor(d.sample(rng, (n, r)) + 0.5), 0).astype(np.int64)
    return x.sum(axis=1)


@dataclass
class ChunkResult:
    cost_known: np.ndarray
    cost_unknown: np.ndarray
    value_cost: np.ndarray           # discounts + losses net of what recovery kept (per trial)
    opportunities: np.ndarray
    good_fits: np.ndarray
    wins_done_right: np.ndarray
    wins: np.ndarray
    should_have_bought: np.ndarray
    revenue_done_right: np.ndarray
    revenue: np.ndarray
    nonbuyer_hours: np.ndarray
    mistake_known: np.ndarray        # (mistakes, trials)
    mistake_unknown: np.ndarray
    mistake_occurrences: np.ndarray


def simulate_chunk(study: Study, rng: np.random.Generator, T: int, counts: np.ndarray | None = None) -> ChunkResult:
    """Plays T years. Returns per-trial columns."""
    M = len(study.mistakes)
    # 1. year-level values
    hourly = _year(study.hourly_cost, rng, T)
    good_fit = _year(study.good_fit, rng, T, 0, 1)
    close_rate = _year(study.close_rate, rng, T, 0, 1)
    margin = _year(study.margin, rng, T, 0, 1) if study.value == "margin" else 1.0
    pilot_rate = _year(study.pilot_rate, rng, T, 0, 1)
    repeat_rate = _year(study.repeat_customer, rng, T, 0, 1)
    yr = []
    for m in study.mistakes:
        rec_hourly = None
        if m.has_recovery:
            rec_hourly = hourly if m.recovery_hourly_cost is None else _year(m.recovery_hourly_cost, rng, T)
        yr.append((_year(m.probability, rng, T, 0, 1), _year(m.noticed, rng, T, 0, 1),
                   _year(m.lose, rng, T, 0, 1), _year(m.churn, rng, T, 0, 1), rec_hourly))

    # 2. opportunity counts, flat opportunity arrays
    if counts is None:
        counts = _counts(study, rng, T)
    N = int(counts.sum())
    tidx = np.repeat(np.arange(T, dtype=np.int64), counts)

    # 3. pipeline words
    fit = _bern(rng, _thr(good_fit), tidx)
    repeat = _bern(rng, _thr(repeat_rate), tidx)
    pilot = _bern(rng, _thr(pilot_rate), tidx)
    closes = fit & _bern(rng, _thr(close_rate), tidx)

    close_idx = np.flatnonzero(closes)
    value = np.zeros(N)
    value[close_idx] = _amount(study.deal_size, rng, close_idx.size) * _at(margin, tidx[close_idx])

    poor_idx = np.flatnonzero(~fit)
    nonbuyer_hours = (_tsum(tidx[poor_idx], _amount(study.qualify_hours, rng, poor_idx.size), T)
                      if not study.qualify_hours.is_zero else np.zeros(T))

    # as it happens
    alive = closes.copy()
    remaining = value.copy()
    lost = np.zeros(N, dtype=bool)
    churned = np.zeros(N, dtype=bool)
    kept = np.zeros(N)                 # what recovery kept, for recovered (lost) deals
    value_cost = np.zeros(T)

    mk_known = np.zeros((M, T))
    mk_unknown = np.zeros((M, T))
    mk_occ = np.zeros((M, T))
    any_lost = False
    masks = {"good_fit": fit, "pilot": pilot, "repeat": repeat}
    not_fit = None

    for j, m in enumerate(study.mistakes):
        prob, noticed_p, lose_p, churn_p, rec_hourly = yr[j]
        prob, noticed_p, lose_p, churn_p = _thr(prob), _thr(noticed_p), _thr(lose_p), _thr(churn_p)
        # candidates: applies_to and not yet lost
        if m.applies_to == "all":
            cand = ~lost if any_lost else None
        else:
            if m.applies_to == "poor_fit":
                if not_fit is None:
                    not_fit = ~fit
                base = not_fit
            else:
                base = masks[m.applies_to]
            cand = base & ~lost if any_lost else base
        if cand is None:
            occ = np.flatnonzero(_bern(rng, prob, tidx))
        else:
            ci = np.flatnonzero(cand)
            occ = ci[_bern(rng, prob, tidx[ci])]
        k = occ.size
        if k == 0:
            continue
        t = tidx[occ]
        noticed = _bern(rng, noticed_p, t)
        cost = np.zeros(k)
        if not m.wasted_hours.is_zero:
            wh = _amount(m.wasted_hours, rng, k)
            cost += wh * _at(hourly, t)
            nf = ~fit[occ]
            nonbuyer_hours += np.bincount(t[nf], wh[nf], T)
        if not m.direct_cost.is_zero:
            cost += _amount(m.direct_cost, rng, k)

        # losses and discounts on deals that would have closed and are still alive
        a = np.flatnonzero(alive[occ])
        if a.size:
            lose_now = _bern(rng, lose_p, t[a])
            li = a[lose_now]                       # positions (in occ) of the deals lost now
            if li.size:
                lo = occ[li]
                any_lost = True
                lost[lo] = True
                alive[lo] = False
                rem = remaining[lo]
                vcost = rem.copy()
                if m.has_recovery:
                    rn = noticed[li]
                    if rn.any():
                        ri = np.flatnonzero(rn)
                        tr = t[li[ri]]
                        hours = _amount(m.recovery_hours, rng, ri.size)
                        saved = _amount(m.recovery_saved, rng, ri.size, 0, 1)
                        kp = saved * rem[ri]
                        kept[lo[ri]] = kp
                        vcost[ri] = rem[ri] - kp
                        cost[li[ri]] += hours * _at(rec_hourly, tr)
                cost[li] += vcost
                value_cost += np.bincount(t[li], vcost, T)
            if not m.discount.is_zero:
                di = a[~lose_now]                  # deals that still close
                if di.size:
                    do = occ[di]
                    disc = _amount(m.discount, rng, di.size, 0, 1)
                    dd = np.minimum(disc * value[do], remaining[do])
                    remaining[do] -= dd
                    cost[di] += dd
                    value_cost += np.bincount(t[di], dd, T)

        # churn of a repeat customer, at most once per opportunity
        if not m.churn.is_zero:
            ch = np.flatnonzero(repeat[occ] & ~churned[occ])
            if ch.size:
                ch = ch[_bern(rng, churn_p, t[ch])]
                if ch.size:
                    churned[occ[ch]] = True
                    cost[ch] += _amount(study.customer_value, rng, ch.size)

        occ_ct = np.bincount(t, minlength=T)
        mk_known[j] = _tsum(t, np.where(noticed, cost, 0.0), T, occ_ct)
        mk_unknown[j] = _tsum(t, np.where(noticed, 0.0, cost), T, occ_ct)
        mk_occ[j] = occ_ct

    # outcome
    recovered = lost & (kept > 0)
    won = alive | recovered
    revenue = _tsum(tidx, np.where(alive, remaining, kept), T, counts)
    revenue_done_right = _tsum(tidx, value, T, counts)
    fit_ct = _tsum(tidx, fit, T, counts)
    wins_dr = _tsum(tidx, closes, T, counts)
    wins = _tsum(tidx, won, T, counts)
    shb = _tsum(tidx, closes & ~won, T, counts)
    return ChunkResult(
        cost_known=mk_known.sum(axis=0), cost_unknown=mk_unknown.sum(axis=0), value_cost=value_cost,
        opportunities=counts.astype(float), good_fits=fit_ct, wins_done_right=wins_dr, wins=wins,
        should_have_bought=shb, revenue_done_right=revenue_done_right, revenue=revenue,
        nonbuyer_hours=nonbuyer_hours, mistake_known=mk_known, mistake_unknown=mk_unknown,
        mistake_occurrences=mk_occ)


PER_TRIAL = ("cost_known", "cost_unknown", "value_cost", "opportunities", "good_fits", "wins_done_right",
             "wins", "should_have_bought", "revenue_done_right", "revenue", "nonbuyer_hours")


def run(study: Study, trials: int, seed: int, target_opportunities: int = 1 << 20, keep_mistakes=False):
    """Runs `trials` years in chunks of about `target_opportunities` opportunities (bounded memory).

    Returns (columns, mistake_sums, opportunities_total): per-trial columns (numpy arrays of length
    `trials`), per-mistake sums over all trials {'known', 'unknown', 'occurrences'} (arrays of length
    M; with keep_mistakes also per-trial 'known_t'/'unknown_t' matrices), and the opportunity total.
    """
    rng = np.random.default_rng(seed)
    M = len(study.mistakes)
    cols = {name: np.zeros(trials) for name in PER_TRIAL}
    sums = {"known": np.zeros(M), "unknown": np.zeros(M), "occurrences": np.zeros(M)}
    if keep_mistakes:
        sums["known_t"] = np.zeros((M, trials))
        sums["unknown_t"] = np.zeros((M, trials))
    block = 1 << 16
    start = 0
    while start < trials:
        B = min(block, trials - start)
        # counts for a block of trials, then chunks of the block bounded by opportunity count
        counts = _counts(study, rng, B)
        csum = np.cumsum(counts)
        s = 0
        while s < B:
            base = csum[s - 1] if s else 0
            e = int(np.searchsorted(csum, base + target_opportunities, side="right"))
            e = max(e, s + 1)
            e = min(e, B)
            r = simulate_chunk(study, rng, e - s, counts[s:e])
            lo, hi = start + s, start + e
            for name in PER_TRIAL:
                cols[name][lo:hi] = getattr(r, name)
            sums["known"] += r.mistake_known.sum(axis=1)
            sums["unknown"] += r.mistake_unknown.sum(axis=1)
            sums["occurrences"] += r.mistake_occurrences.sum(axis=1)
            if keep_mistakes:
                sums["known_t"][:, lo:hi] = r.mistake_known
                sums["unknown_t"][:, lo:hi] = r.mistake_unknown
            s = e
        start += B
    return cols, sums, int(cols["opportunities"].sum())


# ----------------------------------------------------------------------------------------------
# Statistics and output
# ----------------------------------------------------------------------------------------------

def summarize(x: np.ndarray) -> dict:
    """mean, sd (n-1), quantiles (NumPy's default linear interpolation) and CVaR95 = mean of the
    worst 5% of years (the ceil(0.05 n) largest costs)."""
    n = x.size
    q = np.quantile(x, [0.05, 0.10, 0.50, 0.90, 0.95, 0.99])
    tail = max(1, math.ceil(0.05 * n))
    cvar = float(np.partition(x, n - tail)[n - tail:].mean())
    return {"mean": float(x.mean()), "sd": float(x.std(ddof=1)) if n > 1 else 0.0,
            "p05": float(q[0]), "p10": float(q[1]), "p50": float(q[2]), "p90": float(q[3]),
            "p95": float(q[4]), "p99": float(q[5]), "cvar95": cvar, "n": int(n)}


def build_report(study: Study, trials: int, seed: int, seconds: float, cols, sums, opps_total) -> dict:
    total = cols["cost_known"] + cols["cost_unknown"]
    mistakes = []
    for j, m in enumerate(study.mistakes):
        mistakes.append({
            "id": m.id,
            "cost_mean": float((sums["known"][j] + sums["unknown"][j]) / trials),
            "known_mean": float(sums["known"][j] / trials),
            "unknown_mean": float(sums["unknown"][j] / trials),
            "occurrences_mean": float(sums["occurrences"][j] / trials),
        })
    return {
        "study": {"name": study.name, "file": study.file, "seed": seed, "value": study.value,
                  "currency": study.currency, "reps": study.reps,
                  "implementation": f"numpy {np.__version__} reference (bench/reference/mistakesim_ref.py)"},
        "trials": trials,
        "seconds": seconds,
        "ns_per_opportunity": seconds * 1e9 / opps_total if opps_total else None,
        "opportunities_total": opps_total,
        "cost": {"total": summarize(total), "known": summarize(cols["cost_known"]),
                 "unknown": summarize(cols["cost_unknown"])},
        "mistakes": mistakes,
        "pipeline": {
            "opportunities_mean": float(cols["opportunities"].mean()),
            "good_fits_mean": float(cols["good_fits"].mean()),
            "wins_done_right_mean": float(cols["wins_done_right"].mean()),
            "wins_mean": float(cols["wins"].mean()),
            "should_have_bought_mean": float(cols["should_have_bought"].mean()),
            "nonbuyer_hours_mean": float(cols["nonbuyer_hours"].mean()),
            "revenue_done_right_mean": float(cols["revenue_done_right"].mean()),
            "revenue_mean": float(cols["revenue"].mean()),
        },
    }


def _money(x: float) -> str:
    return f"{x:,.0f}"


def print_summary(rep: dict, out=sys.stdout):
    s = rep["study"]
    c = rep["cost"]
    cur = s["currency"]
    print(f"{s['name']}  ({rep['trials']:,} trials, seed {s['seed']}, value basis: {s['value']})", file=out)
    print(f"  simulated {rep['opportunities_total']:,} opportunities in {rep['seconds']:.2f} s "
          f"({rep['ns_per_opportunity'] or 0:.1f} ns/opportunity)", file=out)
    print(f"  yearly cost of mistakes [{cur}]      mean         P05         P50         P95", file=out)
    for key in ("total", "known", "unknown"):
        v = c[key]
        print(f"    {key:<30} {_money(v['mean']):>11} {_money(v['p05']):>11} {_money(v['p50']):>11} "
              f"{_money(v['p95']):>11}", file=out)
    print(f"  per mistake (mean per year)          cost       known     unknown  occurrences", file=out)
    for m in rep["mistakes"]:
        print(f"    {m['id']:<30} {_money(m['cost_mean']):>11} {_money(m['known_mean']):>11} "
              f"{_money(m['unknown_mean']):>11} {m['occurrences_mean']:>10.1f}", file=out)
    p = rep["pipeline"]
    print(f"  pipeline per year: {p['opportunities_mean']:.1f} opportunities, {p['good_fits_mean']:.1f} good fits, "
          f"{p['wins_done_right_mean']:.1f} wins done right, {p['wins_mean']:.1f} wins, "
          f"{p['should_have_bought_mean']:.1f} should have bought, "
          f"{p['nonbuyer_hours_mean']:,.0f} hours with non-buyers", file=out)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="NumPy reference implementation of the mistakesim model")
    ap.add_argument("study")
    ap.add_argument("--trials", type=int)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--json", metavar="OUT")
    ap.add_argument("--chunk-opportunities", type=int, default=1 << 20,
                    help="opportunities per vectorised chunk (memory bound; default 2^20)")
    args = ap.parse_args(argv)
    try:
        study = load_study(args.study)
    except (StudyError, OSError, KeyError, ValueError, TypeError) as e:
        print(f"mistakesim_ref: {e}", file=sys.stderr)
        return 2
    trials = args.trials if args.trials is not None else study.trials
    seed = args.seed if args.seed is not None else study.seed
    if trials < 1:
        print("mistakesim_ref: --trials must be >= 1", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    c0 = time.process_time()
    cols, sums, opps = run(study, trials, seed, args.chunk_opportunities)
    seconds = time.perf_counter() - t0
    cpu_seconds = time.process_time() - c0
    rep = build_report(study, trials, seed, seconds, cols, sums, opps)
    rep["cpu_seconds"] = cpu_seconds  # CPU time of the simulation (robust to a loaded machine)
    rep["cpu_ns_per_opportunity"] = cpu_seconds * 1e9 / opps if opps else None
    print_summary(rep)
    if args.json:
        tmp = args.json + ".tmp"
        with open(tmp, "w") as f:
            json.dump(rep, f, indent=2)
            f.write("\n")
        os.replace(tmp, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
