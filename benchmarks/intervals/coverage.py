"""Coverage of the intervals and size of the p-values in intervals.py, by simulation.

    python coverage.py --quick     # the review's edge cells, ~15 s on one core (a test)
    python coverage.py             # the full grid, with the rejected candidates (RESULTS.md)

Rule per cell and side: 4000 trials at nominal one-sided miss rate (1 - 0.99) / 2;
pass when misses <= 31 (99th percentile of Binomial(4000, 0.005)). p-values: 2000
null trials, pass when p < 0.01 at most 31 times (99th pct of Binomial(2000, 0.01)).
For means, a trial counts as a miss (or rejection) only when the data hold at least
K = MIN_INFORMATIVE informative values (the caller declares the rest inconclusive).
"""

from __future__ import annotations

import argparse
import sys
import time
from functools import lru_cache

import intervals as iv  # the sibling module: the script's own folder is sys.path[0]
import numpy as np
from scipy import integrate, optimize
from scipy import stats as sps

T_CI, T_P, LIMIT_CI, LIMIT_P = 4000, 2000, 31, 31
C = 0.99
Z = sps.norm.ppf(0.5 + C / 2)


def seed_of(*key) -> int:
    return int.from_bytes(repr(key).encode(), "little") % (2**32 - 1)


# ----------------------------------------------------------------------------- AUROC families


@lru_cache(None)
def relu_auc(a: float, b: float) -> float:
    """AUROC of relu(N(a,1)) vs relu(N(b,1)), ties 1/2, by quadrature."""
    px0, py0 = sps.norm.cdf(-a), sps.norm.cdf(-b)
    both = integrate.quad(lambda v: sps.norm.pdf(v - b) * sps.norm.sf(v - a), 0, np.inf, epsabs=1e-13)[0]
    return (1 - px0) * py0 + both + 0.5 * px0 * py0


def disc_auc(p1: float, p2: float, levels: int = 4) -> float:
    k = np.arange(levels + 1)
    f, g = sps.binom.pmf(k, levels, p1), sps.binom.pmf(k, levels, p2)
    return float((f * (np.concatenate([[0], np.cumsum(g)[:-1]]) + 0.5 * g)).sum())


def auroc_family(fam: str, theta: float):
    """(concept sampler, contrast sampler, exact AUROC) for a family at target AUROC theta >= 0.5."""
    if fam == "gauss":  # location shift, AUROC = Phi(d / sqrt 2)
        d = np.sqrt(2) * sps.norm.ppf(theta)
        return (lambda g, s: g.normal(d, 1, s)), (lambda g, s: g.normal(0, 1, s)), theta
    if fam == "relu0":  # post-ReLU, contrast 100% zeros; concept zero fraction q: AUROC = 1 - q/2
        q = min(2 * (1 - theta), 1.0)
        a = -sps.norm.ppf(q) if q < 1 else -50.0
        return (lambda g, s: np.maximum(g.normal(a, 1, s), 0)), (lambda g, s: np.zeros(s)), 1 - q / 2
    if fam == "relu1":  # post-ReLU, contrast 84% zeros, concept shifted
        b = -1.0
        a = optimize.brentq(lambda a: relu_auc(a, b) - theta, -8, 12, xtol=1e-12)
        return (
            (lambda g, s: np.maximum(g.normal(a, 1, s), 0)),
            (lambda g, s: np.maximum(g.normal(b, 1, s), 0)),
            relu_auc(a, b),
        )
    if fam == "disc4":  # 5 tied levels: Binomial(4, p) vs Binomial(4, 1 - p)
        p = (
            optimize.brentq(lambda p: disc_auc(p, 1 - p) - theta, 0.5 - 1e-12, 1 - 1e-12, xtol=1e-14)
            if theta > 0.5
            else 0.5
        )
        return (
            (lambda g, s: g.binomial(4, p, s).astype(float)),
            (lambda g, s: g.binomial(4, 1 - p, s).astype(float)),
            disc_auc(p, 1 - p),
        )
    if fam == "binorm3":  # unequal variances: N(d, 1/3^2) vs N(0, 1)
        d = sps.norm.ppf(theta) * np.sqrt(1 + 1 / 9)
        return (lambda g, s: g.normal(d, 1 / 3, s)), (lambda g, s: g.normal(0, 1, s)), theta
    raise KeyError(fam)


def delong_logit(theta, var, m, n, z):
    c = np.clip(theta, 0.5 / (m * n), 1 - 0.5 / (m * n))
    lg, h = np.log(c / (1 - c)), z * np.sqrt(var) / (c * (1 - c))
    return 1 / (1 + np.exp(-(lg - h))), 1 / (1 + np.exp(-(lg + h)))


def newcombe5(theta, m, n, z, cc=0.0, iters=50):
    lo_a, lo_b, hi_a, hi_b = np.zeros_like(theta), theta.copy(), theta.copy(), np.ones_like(theta)
    for _ in range(iters):
        mid = (lo_a + lo_b) / 2
        ok = theta - mid <= cc + z * np.sqrt(iv._hm_var(mid, m, n))
        lo_a, lo_b = np.where(ok, lo_a, mid), np.where(ok, mid, lo_b)
        mid = (hi_a + hi_b) / 2
        ok = mid - theta <= cc + z * np.sqrt(iv._hm_var(mid, m, n))
        hi_a, hi_b = np.where(ok, mid, hi_a), np.where(ok, hi_b, mid)
    return lo_b, hi_a


def auroc_cell(fam, theta, m, n, mirror, candidates=False):
    fx, fy, truth = auroc_family(fam, theta)
    g = np.random.default_rng(seed_of("auroc", fam, theta, m, n, mirror))
    x, y = fx(g, (T_CI, m)), fy(g, (T_CI, n))
    if mirror:  # scores negated: AUROC 1 - theta
        x, y, truth = -x, -y, 1 - truth
    th, var = iv._auroc_stats(x, y)
    out = {"chosen": iv._auroc_bounds(th, var, m, n, Z)}
    if candidates:
        out["delong_logit"] = delong_logit(th, var, m, n, Z)
        out["newcombe5"] = newcombe5(th, m, n, Z)
        out["newcombe5_cc"] = newcombe5(th, m, n, Z, cc=0.5 / (m * n))
        out["newcombe5_cc_halfstep"] = newcombe5(th, m, n, Z, cc=0.5 / min(m, n))
    res = {
        k: (int((lo > truth).sum()), int((hi < truth).sum()), float(np.mean(hi - lo)))
        for k, (lo, hi) in out.items()
    }
    res["_deg"] = (
        int((out["chosen"][1] - out["chosen"][0] <= 0).sum()),
        int(((out["chosen"][0] > th) | (out["chosen"][1] < th)).sum()),
    )
    return truth, res, float(np.mean((th == 1) | (th == 0)))


# ----------------------------------------------------------------------------- mean families


def effect_family(name: str):
    """(sampler of the non-zero effects, their expectation); effects bounded in [-1, 1]."""
    if name == "beta":  # skewed, in (0, 1)
        return (lambda g, s: g.beta(0.5, 2, s)), 0.2
    if name == "nbeta":
        return (lambda g, s: -g.beta(0.5, 2, s)), -0.2
    if name == "fixed":
        return (lambda g, s: np.ones(s)), 1.0
    if name == "unif":
        return (lambda g, s: g.random(s)), 0.5
    if name == "signed":  # Beta(0.5, 2) with random sign, 75% positive
        return (lambda g, s: g.beta(0.5, 2, s) * np.where(g.random(s) < 0.75, 1, -1)), 0.1
    if name == "gauss":  # clip(N(0.1, 0.3), -1, 1): dense Gaussian-ish (and sparse signed)
        mu, sd = 0.1, 0.3
        a, b = (-1 - mu) / sd, (1 - mu) / sd
        e = (
            mu * (sps.norm.cdf(b) - sps.norm.cdf(a))
            + sd * (sps.norm.pdf(a) - sps.norm.pdf(b))
            - sps.norm.cdf(a)
            + sps.norm.sf(b)
        )
        return (lambda g, s: np.clip(g.normal(mu, sd, s), -1, 1)), e
    if name == "exp":  # long-tailed: min(Exp(0.15), 1)
        sc = 0.15
        return (lambda g, s: np.minimum(g.exponential(sc, s), 1)), sc * (1 - np.exp(-1 / sc))
    if name == "lnorm":  # long-tailed: min(0.05 LogNormal(0, 1), 1)
        c, sg = 0.05, 1.0
        u = np.log(1 / c)
        e = c * np.exp(sg**2 / 2) * sps.norm.cdf((u - sg**2) / sg) + sps.norm.sf(u / sg)
        return (lambda g, s: np.minimum(c * g.lognormal(0, sg, s), 1)), e
    if name == "null_sym":  # mean 0: symmetric signed Beta
        return (lambda g, s: g.beta(0.5, 2, s) * np.where(g.random(s) < 0.5, 1, -1)), 0.0
    if name == "null_skew":  # mean 0, skewed: 0.2 - Beta(0.5, 2)... right tail negative
        return (lambda g, s: 0.2 - g.beta(0.5, 2, s)), 0.0
    if name == "null_skew2":  # mean 0, long right tail: Beta(0.5, 2) - 0.2
        return (lambda g, s: g.beta(0.5, 2, s) - 0.2), 0.0
    raise KeyError(name)


def draw(g, T, n, sparsity, name, scale=1.0):
    """T samples of n effects: non-zero with probability sparsity/n (int), p (float) or 1 ('all')."""
    f, e = effect_family(name)
    pi = 1.0 if sparsity == "all" else (sparsity if isinstance(sparsity, float) else sparsity / n)
    x = f(g, (T, n)) * (g.random((T, n)) < pi)
    return scale * x, scale * pi * e


def mean_candidates(x, conf=C):
    """Rejected one-sample candidates, vectorised: Student t, parts of the chosen method, hybrid, EB."""
    a = 1 - conf
    T, n = x.shape
    k = iv.informative_count(x)
    xb, s = x.mean(1), x.std(1, ddof=1)
    se = s / np.sqrt(n)
    tq = sps.t.ppf(1 - a / 2, n - 1)
    out = {"student_t": (xb - tq * se, xb + tq * se)}
    k_up = np.where(k >= n, n, n * sps.beta.ppf(1 - a / 2, k + 1, np.maximum(n - k, 1e-12)))
    se_i = se * np.sqrt(np.where(k > 0, k_up / np.maximum(k, 1), 1))
    tk = sps.t.ppf(1 - a / 2, np.maximum(k - 1, 1))
    out["sparse_t_no_hall"] = (xb - tk * se_i, xb + tk * se_i)
    # hybrid: P(non-zero) by Clopper-Pearson x mean of the non-zero by t, Bonferroni
    nz = x != 0
    kz = nz.sum(1)
    ky = np.maximum(kz, 1)
    yb = x.sum(1) / ky
    ysd = np.sqrt(((x - yb[:, None]) ** 2 * nz).sum(1) / np.maximum(kz - 1, 1))
    t4 = sps.t.ppf(1 - a / 4, np.maximum(kz - 1, 1))
    mL, mU = yb - t4 * ysd / np.sqrt(ky), yb + t4 * ysd / np.sqrt(ky)
    pL = np.where(kz > 0, sps.beta.ppf(a / 4, np.maximum(kz, 1e-12), n - kz + 1), 0.0)
    pU = np.where(kz < n, sps.beta.ppf(1 - a / 4, kz + 1, np.maximum(n - kz, 1e-12)), 1.0)
    c = np.stack([pL * mL, pU * mL, pL * mU, pU * mU])
    out["hybrid_cp_x_t"] = (np.where(kz < 2, -np.inf, c.min(0)), np.where(kz < 2, np.inf, c.max(0)))
    # empirical Bernstein (Maurer-Pontil) with the range taken from the data
    R = np.maximum(x.max(1), 0) - np.minimum(x.min(1), 0)
    L = np.log(2 / (a / 2))
    h = np.sqrt(2 * s**2 * L / n) + 7 * R * L / (3 * (n - 1))
    out["emp_bernstein"] = (xb - h, xb + h)
    return out


def current_bootstrap_t(x, conf=C, B=999, seed=0):
    """The current lenet `mean` CI (bootstrap-t, se=0 resamples give t=0), vectorised; fewer resamples."""
    T, n = x.shape
    g = np.random.default_rng(seed)
    lo, hi = np.empty(T), np.empty(T)
    for r in range(T):
        v = x[r]
        se = v.std(ddof=1) / np.sqrt(n)
        if se == 0:
            lo[r] = hi[r] = v.mean()
            continue
        xs = v[g.integers(0, n, (B, n))]
        ses = xs.std(1, ddof=1) / np.sqrt(n)
        t = (xs.mean(1) - v.mean()) / np.where(ses > 0, ses, np.inf)
        ql, qh = np.quantile(t, [(1 - conf) / 2, (1 + conf) / 2])
        lo[r], hi[r] = v.mean() - qh * se, v.mean() - ql * se
    return lo, hi


def mean_cell(name, n, sparsity, candidates=False, scale=1.0, boot=False):
    g = np.random.default_rng(seed_of("mean", name, n, sparsity))
    x, truth = draw(g, T_CI, n, sparsity, name, scale)
    k = iv.informative_count(x)
    _, lo, hi, _ = iv._diff_bounds(x, None, C)
    out = {"chosen": (lo, hi)}
    if candidates:
        out.update(mean_candidates(x))
    if boot:
        out["current_bootstrap_t"] = current_bootstrap_t(x)
    judged = k >= iv.MIN_INFORMATIVE
    judged3 = k >= 3
    res = {}
    for key, (low, high) in out.items():
        w = np.median((high - low)[judged]) / abs(truth) if judged.any() and truth != 0 else np.nan
        res[key] = (int(((low > truth) & judged).sum()), int(((high < truth) & judged).sum()), float(w))
        res[key + "@K3"] = (
            int(((low > truth) & judged3).sum()),
            int(((high < truth) & judged3).sum()),
            float("nan"),
        )
    return truth, res, float(1 - judged.mean()), int((k == 0).sum())


def diff_cell(spec, candidates=False):
    (m, name1, sp1), (n, name2, sp2) = spec
    g = np.random.default_rng(seed_of("diff", spec))
    x, t1 = draw(g, T_CI, m, sp1, name1)
    y, t2 = draw(g, T_CI, n, sp2, name2)
    truth = t1 - t2
    judged = iv._count_ok_rows([iv.informative_count(x), iv.informative_count(y)])
    _, lo, hi, _ = iv._diff_bounds(x, y, C)
    out = {"chosen": (lo, hi)}
    if candidates:  # Welch t
        se = np.sqrt(x.var(1, ddof=1) / m + y.var(1, ddof=1) / n)
        vx, vy = x.var(1, ddof=1) / m, y.var(1, ddof=1) / n
        df = (vx + vy) ** 2 / (vx**2 / (m - 1) + vy**2 / (n - 1) + 1e-300)
        q = sps.t.ppf(0.5 + C / 2, np.maximum(df, 1))
        d = x.mean(1) - y.mean(1)
        out["welch_t"] = (d - q * se, d + q * se)
    res = {
        key: (
            int(((low > truth) & judged).sum()),
            int(((high < truth) & judged).sum()),
            float(np.median((high - low)[judged]) / abs(truth)) if truth != 0 else float("nan"),
        )
        for key, (low, high) in out.items()
    }
    return truth, res, float(1 - judged.mean())


# ----------------------------------------------------------------------------- p-value size


def p_mean_null(name, n, sparsity):
    g = np.random.default_rng(seed_of("pnull", name, n, sparsity))
    x, truth = draw(g, T_P, n, sparsity, name)
    assert truth == 0
    k = iv.informative_count(x)
    _, _, _, p = iv._diff_bounds(x, None, C)
    return int(((p < 0.01) & (k >= iv.MIN_INFORMATIVE)).sum()), int((p < 0.01).sum())


def p_diff_null(m, n, name, sparsity):
    """Exchangeable null: both groups from the same distribution (sparsity as a probability)."""
    g = np.random.default_rng(seed_of("pdiff", m, n, name, sparsity))
    x, _ = draw(g, T_P, m, sparsity, name)
    y, _ = draw(g, T_P, n, sparsity, name)
    ok = iv._count_ok_rows([iv.informative_count(x), iv.informative_count(y)])
    _, _, _, p = iv._diff_bounds(x, y, C)
    return int(((p < 0.01) & ok).sum()), int((p < 0.01).sum())


def p_diff_null_unequal(m, n):
    """Equal means, different shapes (not exchangeable).

    Concept sparse, Bernoulli(0.1) (mean 0.1); contrast dense, U(0, 0.2) (mean 0.1).
    """
    g = np.random.default_rng(seed_of("pdiffu", m, n))
    x = (g.random((T_P, m)) < 0.1) * 1.0  # mean 0.1
    y = g.random((T_P, n)) * 0.2  # mean 0.1
    ok = iv._count_ok_rows([iv.informative_count(x), iv.informative_count(y)])
    _, _, _, p = iv._diff_bounds(x, y, C)
    return int(((p < 0.01) & ok).sum()), int((p < 0.01).sum())


def p_mw_null(m, n, fam, asymptotic_mw=False):
    g = np.random.default_rng(seed_of("mw", m, n, fam))
    if fam == "gauss":
        x, y = g.normal(size=(T_P, m)), g.normal(size=(T_P, n))
    elif fam == "relu89":  # 89% zeros in both
        a = -sps.norm.ppf(0.89)
        x, y = np.maximum(g.normal(a, 1, (T_P, m)), 0), np.maximum(g.normal(a, 1, (T_P, n)), 0)
    elif fam == "disc3":  # 3 levels
        x, y = g.integers(0, 3, (T_P, m)).astype(float), g.integers(0, 3, (T_P, n)).astype(float)
    else:
        raise KeyError(fam)
    if asymptotic_mw:  # the current lenet p: scipy's asymptotic Mann-Whitney with continuity
        p = np.array(
            [
                sps.mannwhitneyu(x[r], y[r], alternative="greater", method="asymptotic").pvalue
                for r in range(T_P)
            ]
        )
        return int((p < 0.01).sum())
    th, var = iv._auroc_stats(x, y)
    return int((iv._auroc_p(th, var, m, n) < 0.01).sum())


# ----------------------------------------------------------------------------- grids

AUROC_SIZES = [(14, 14), (15, 60), (30, 300), (130, 700), (60, 15)]
AUROC_THETAS = [0.5, 0.75, 0.9, 0.96, 0.99, 0.999]


def auroc_grid(quick):
    if quick:  # the review's cells and the edges
        return [
            ("gauss", 0.99, 15, 60, False),
            ("gauss", 0.99, 15, 60, True),
            ("gauss", 0.96, 30, 300, False),
            ("gauss", 0.999, 14, 14, False),
            ("gauss", 0.9, 14, 14, True),
            ("relu0", 0.555, 130, 700, False),
            ("relu0", 0.555, 14, 14, False),
            ("relu0", 0.999, 15, 60, False),
            ("relu0", 0.999, 14, 14, True),
            ("relu0", 0.96, 30, 300, False),
            ("relu0", 0.9, 15, 60, True),
            ("relu1", 0.99, 30, 300, False),
            ("relu1", 0.999, 30, 300, True),
            ("disc4", 0.99, 14, 14, False),
            ("disc4", 0.5, 60, 15, False),
        ]
    cells = []
    for fam in ["gauss", "relu0", "relu1", "disc4", "binorm3"]:
        thetas = AUROC_THETAS + ([0.555] if fam == "relu0" else [])
        for th in thetas:
            for mirror in [False, True] if th > 0.5 else [False]:
                for m, n in AUROC_SIZES:
                    cells.append((fam, th, m, n, mirror))
    return cells


def mean_grid(quick):
    if quick:
        return [
            ("beta", 30, 3),
            ("beta", 60, 3),
            ("beta", 60, 5),
            ("beta", 14, "all"),
            ("nbeta", 14, "all"),
            ("beta", 700, 5),
            ("signed", 30, 10),
            ("gauss", 60, 10),
            ("fixed", 14, 10),
            ("fixed", 700, 30),
            ("lnorm", 30, 0.3),
            ("exp", 130, 0.3),
            ("unif", 130, 10),
            ("gauss", 14, "all"),
        ]
    cells = []
    for name in ["beta", "nbeta", "fixed", "unif", "signed", "gauss"]:
        for n in [14, 30, 60, 130, 700]:
            for sp in [3, 5, 10, 30, "all"]:
                if sp != "all" and sp >= n or (name == "fixed" and sp == "all"):
                    continue
                cells.append((name, n, sp))
    for name in ["exp", "lnorm"]:  # zero-inflated long-tailed
        for n in [14, 30, 60, 130, 700]:
            for sp in [0.3, 0.1]:
                cells.append((name, n, sp))
    return cells


def diff_grid(quick):
    specs = []
    for m in [14, 30, 130]:
        for n in [700, 1000]:
            for sp1 in [3, 5, 10, "all"]:
                if sp1 != "all" and sp1 >= m:
                    continue
                specs.append(((m, "beta", sp1), (n, "beta", 0.05)))  # contrast: 5% small damage
                specs.append(((m, "beta", sp1), (n, "beta", 3)))  # contrast: 3 of n damaged
            specs.append(((m, "gauss", "all"), (n, "gauss", "all")))
            specs.append(((m, "lnorm", 0.3), (n, "lnorm", 0.1)))
            specs.append(((m, "signed", 0.3), (n, "signed", 0.3)))
    specs.append(((60, "beta", 5), (60, "beta", 5)))
    specs.append(((60, "exp", 0.3), (60, "unif", "all")))
    if quick:
        specs = [
            ((30, "beta", 3), (700, "beta", 0.05)),
            ((30, "beta", 5), (1000, "beta", 3)),
            ((130, "beta", 5), (700, "beta", 0.05)),
            ((14, "beta", "all"), (700, "beta", 0.05)),
            ((30, "lnorm", 0.3), (700, "lnorm", 0.1)),
            ((60, "beta", 5), (60, "beta", 5)),
        ]
    return specs


def fmt(x):
    return f"{x[0]:>4d} / {x[1]:>4d}" + ("" if max(x[0], x[1]) <= LIMIT_CI else " FAIL")


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    quick = args.quick
    cand = not quick
    failures = []
    t_start = time.time()

    print("## AUROC: misses low / high of 4000 (chosen; pass <= 31 each side)\n")
    rows = {}
    print(
        "| family | AUROC | m, n | chosen low/high | mean width | P(AUROC_hat in {0,1}) |"
        + ("" if quick else " delong_logit | newcombe5 | newcombe5_cc | newcombe5_cc_halfstep |")
    )
    print("|---|---|---|---|---|---|" + ("" if quick else "---|---|---|---|"))
    for fam, th, m, n, mirror in auroc_grid(quick):
        truth, res, edge = auroc_cell(fam, th, m, n, mirror, cand)
        ch = res["chosen"]
        if max(ch[:2]) > LIMIT_CI or res["_deg"][0] or res["_deg"][1]:
            failures.append(("auroc", fam, truth, m, n, ch, res["_deg"]))
        extra = (
            ""
            if quick
            else " "
            + " | ".join(
                fmt(res[k]) for k in ["delong_logit", "newcombe5", "newcombe5_cc", "newcombe5_cc_halfstep"]
            )
            + " |"
        )
        for k, v in res.items():
            if not k.startswith("_"):
                rows.setdefault(k, []).append(max(v[:2]))
        print(f"| {fam} | {truth:.4f} | {m}, {n} | {fmt(ch)} | {ch[2]:.3f} | {edge:.2f} |{extra}", flush=True)
    print(
        "\ncells failing per method:",
        {k: sum(v > LIMIT_CI for v in vs) for k, vs in rows.items()},
        "of",
        len(rows["chosen"]),
    )
    print("worst per method:", {k: max(vs) for k, vs in rows.items()})

    print(
        "\n## Mean (one sample): misses low / high of 4000, "
        f"judged when >= K={iv.MIN_INFORMATIVE} informative values\n"
    )
    rows = {}
    keys = ["student_t", "sparse_t_no_hall", "hybrid_cp_x_t", "emp_bernstein"]
    print(
        "| effects | n | non-zero (expected count, p or all) | chosen | median width / |mean| "
        "| chosen @K=3 | share inconclusive |" + ("" if quick else " " + " | ".join(keys) + " |")
    )
    print("|---|---|---|---|---|---|---|" + ("" if quick else "---|" * len(keys)))
    for name, n, sp in mean_grid(quick):
        scale = 37.5 if (name, n) == ("beta", 60) else 1.0  # scale-equivariance: arbitrary units in one cell
        truth, res, inc, allzero = mean_cell(name, n, sp, cand, scale)
        ch = res["chosen"]
        if max(ch[:2]) > LIMIT_CI:
            failures.append(("mean", name, n, sp, ch))
        for k, v in res.items():
            rows.setdefault(k, []).append(max(v[:2]))
        extra = "" if quick else " " + " | ".join(fmt(res[k]) + f" (w {res[k][2]:.2f})" for k in keys) + " |"
        print(
            f"| {name} | {n} | {sp} | {fmt(ch)} | {ch[2]:.2f} | {fmt(res['chosen@K3'])} | {inc:.2f} |{extra}",
            flush=True,
        )
    print(
        "\ncells failing per method:",
        {k: sum(v > LIMIT_CI for v in vs) for k, vs in rows.items()},
        "of",
        len(rows["chosen"]),
    )

    if not quick:
        print("\n### current lenet bootstrap-t CI of the mean (999 resamples), same cells\n")
        print("| effects | n | non-zero | current bootstrap-t | chosen |")
        print("|---|---|---|---|---|")
        for name, n, sp in [
            ("beta", 30, 3),
            ("beta", 60, 3),
            ("beta", 60, 5),
            ("beta", 30, 10),
            ("beta", 14, "all"),
            ("gauss", 60, "all"),
        ]:
            truth, res, inc, _ = mean_cell(name, n, sp, boot=True)
            print(
                f"| {name} | {n} | {sp} | {fmt(res['current_bootstrap_t'])} | {fmt(res['chosen'])} |",
                flush=True,
            )

    print(
        "\n## Mean difference (concept - contrast): misses low / high of 4000, judged when "
        "nonzero_count_ok: each group 0 or >= K informative values, >= K in all\n"
    )
    rows = {}
    print(
        "| concept (m, effects, non-zero) | contrast (n, effects, non-zero) | truth | chosen "
        "| median width / |truth| |" + ("" if quick else " welch_t |")
    )
    print("|---|---|---|---|---|" + ("" if quick else "---|"))
    for spec in diff_grid(quick):
        truth, res, inc = diff_cell(spec, cand)
        ch = res["chosen"]
        if max(ch[:2]) > LIMIT_CI:
            failures.append(("diff", spec, ch))
        for k, v in res.items():
            rows.setdefault(k, []).append(max(v[:2]))
        extra = "" if quick else f" {fmt(res['welch_t'])} |"
        print(f"| {spec[0]} | {spec[1]} | {truth:.4f} | {fmt(ch)} | {ch[2]:.2f} |{extra}", flush=True)
    print(
        "\ncells failing per method:",
        {k: sum(v > LIMIT_CI for v in vs) for k, vs in rows.items()},
        "of",
        len(rows["chosen"]),
    )

    print("\n## p-value size under the null: rejections (p < 0.01) of 2000; pass <= 31\n")
    print("| test | cell | rejections (judged, K) | rejections (all trials) |")
    print("|---|---|---|---|")
    pcells = [
        ("mean", "null_sym", 30, 10),
        ("mean", "null_sym", 60, "all"),
        ("mean", "null_skew", 14, "all"),
        ("mean", "null_skew2", 14, "all"),
        ("mean", "null_skew", 60, "all"),
        ("mean", "null_sym", 130, 5),
    ]
    dcells = [
        (30, 700, "beta", 0.1),
        (130, 700, "beta", 0.02),
        (14, 1000, "gauss", "all"),
        (60, 60, "beta", 0.1),
    ]
    mwcells = [
        (14, 14, "gauss"),
        (14, 14, "relu89"),
        (14, 14, "disc3"),
        (5, 5, "disc3"),
        (30, 300, "relu89"),
        (15, 60, "relu89"),
        (130, 700, "relu89"),
    ]
    if quick:
        pcells, dcells, mwcells = pcells[:3], dcells[:2], mwcells[1:3] + mwcells[4:5]
    for _, name, n, sp in pcells:
        a, b = p_mean_null(name, n, sp)
        failures += [("p", name, n, sp, a)] if a > LIMIT_P else []
        print(f"| mean | {name}, n={n}, non-zero {sp} | {a} | {b} |", flush=True)
    for m, n, name, sp in dcells:
        a, b = p_diff_null(m, n, name, sp)
        failures += [("p", "diff", m, n, name, sp, a)] if a > LIMIT_P else []
        print(f"| difference (exchangeable) | {name} {sp}, {m} vs {n} | {a} | {b} |", flush=True)
    if not quick:
        a, b = p_diff_null_unequal(30, 700)
        print(
            "| difference (equal means, different shapes) | Bernoulli(0.1) vs U(0, 0.2), 30 vs 700 "
            f"| {a} | {b} |"
        )
    for m, n, fam in mwcells:
        a = p_mw_null(m, n, fam)
        failures += [("p", "auroc", m, n, fam, a)] if a > LIMIT_P else []
        b = "" if quick else f" (asymptotic Mann-Whitney, current: {p_mw_null(m, n, fam, True)})"
        print(f"| AUROC score test | {fam}, {m} vs {n} | {a} | {a}{b} |", flush=True)

    print(f"\nelapsed {time.time() - t_start:.1f} s; failures: {len(failures)}")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
