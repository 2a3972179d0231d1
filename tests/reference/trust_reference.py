#!/usr/bin/python3
"""Reference figures for the trust layer (core/ai/trust), from Debian's scipy, scikit-learn and
numpy on the same numbers the C++ test reads:
- temperature scaling: scipy.optimize.minimize_scalar (bounded, on log T over [0.05, 20]) of the
  negative log-likelihood (scipy.special.logsumexp / log_expit) for a 4-class softmax set, a
  one-output binary set and a perfectly separated set; ECE with 15 equal-width bins;
- the domain model: class means, sklearn.covariance.LedoitWolf(assume_centered=True) on the
  within-class residuals, its inverse, and min-over-classes Mahalanobis scores of new points;
- the threshold's order statistic: scipy.stats.binom.cdf;
- .npy files written by numpy itself (float32, float64, 1-D) for the C++ reader.

usage: trust_reference.py OUTDIR
"""
import json
import os
import sys

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_expit, logsumexp
from scipy.stats import binom
from sklearn.covariance import LedoitWolf


def nll(logits, labels, t):
    z = logits / t
    if z.shape[1] == 1:
        s = np.where(labels == 1, z[:, 0], -z[:, 0])
        return float(-np.mean(log_expit(s)))
    return float(np.mean(logsumexp(z, axis=1) - z[np.arange(len(labels)), labels]))


def probabilities(logits, t):
    z = logits / t
    if z.shape[1] == 1:
        p = 1 / (1 + np.exp(-z[:, 0]))
        return np.stack([1 - p, p], axis=1)
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def ece(p, labels, bins=15):
    conf = p.max(axis=1)
    pred = p.argmax(axis=1)
    b = np.clip(np.ceil(conf * bins).astype(int) - 1, 0, bins - 1)  # (lower, upper] bins
    total = 0.0
    for k in range(bins):
        m = b == k
        if m.any():
            total += abs((pred[m] == labels[m]).sum() - conf[m].sum()) / len(labels)
    return float(total)


def temperature_case(name, logits, labels):
    res = minimize_scalar(lambda lt: nll(logits, labels, np.exp(lt)), bounds=(np.log(0.05), np.log(20.0)),
                          method="bounded", options={"xatol": 1e-10})
    t = float(np.exp(res.x))
    return {"name": name, "logits": logits.tolist(), "labels": labels.tolist(), "temperature": t,
            "nllBefore": nll(logits, labels, 1.0), "nllAfter": nll(logits, labels, t),
            "eceBefore": ece(probabilities(logits, 1.0), labels), "eceAfter": ece(probabilities(logits, t), labels)}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(20261122)
    cases = []
    # 4 classes, over-confident logits (too sharp: the fitted T is above 1).
    labels = rng.integers(0, 4, 300)
    logits = rng.normal(0, 1, (300, 4)) * 3
    logits[np.arange(300), labels] += rng.normal(4, 3, 300)
    cases.append(temperature_case("softmax4", logits.astype(np.float32).astype(np.float64), labels))
    # One sigmoid output, under-confident (T below 1).
    labels = rng.integers(0, 2, 200)
    logits = (np.where(labels == 1, 1.0, -1.0) * rng.normal(0.8, 0.9, 200))[:, None]
    cases.append(temperature_case("sigmoid1", logits.astype(np.float32).astype(np.float64), labels))
    # Perfectly separated: the NLL falls all the way to the lower bound.
    labels = rng.integers(0, 3, 60)
    logits = rng.normal(0, 0.1, (60, 3))
    logits[np.arange(60), labels] += 2
    cases.append(temperature_case("separated", logits.astype(np.float32).astype(np.float64), labels))

    # Domain model: 3 classes, 24 features (one never active, as a dead ReLU channel).
    n, d, k = 150, 24, 3
    labels = rng.integers(0, k, n)
    centres = rng.normal(0, 2, (k, d))
    mix = rng.normal(0, 1, (d, d)) / np.sqrt(d)
    train = centres[labels] + rng.normal(0, 1, (n, d)) @ mix
    train[:, 5] = 0
    train = train.astype(np.float32).astype(np.float64)
    means = np.stack([train[labels == c].mean(axis=0) for c in range(k)])
    residuals = train - means[labels]
    lw = LedoitWolf(assume_centered=True).fit(residuals)
    precision = np.linalg.inv(lw.covariance_)
    new = (np.concatenate([centres[rng.integers(0, k, 20)] + rng.normal(0, 1, (20, d)) @ mix,
                           rng.normal(0, 6, (10, d))])).astype(np.float32).astype(np.float64)
    diffs = new[:, None, :] - means[None, :, :]
    scores = np.einsum("nki,ij,nkj->nk", diffs, precision, diffs).min(axis=1)
    domain = {"features": train.tolist(), "labels": labels.tolist(), "classes": k, "dims": d,
              "means": means.tolist(), "shrinkage": float(lw.shrinkage_), "precision": precision.tolist(),
              "new": new.tolist(), "scores": scores.tolist()}

    # Threshold: for n independent samples, the smallest rank k with P(Bin(n, 0.95) <= k - 1) >= conf.
    thresholds = []
    for count, groups, conf in ((200, 200, 0.99), (210, 14, 0.99), (500, 60, 0.95), (1000, 1000, 0.95)):
        s = rng.gamma(5, 10, count)
        ranks = [r for r in range(1, groups + 1) if binom.cdf(r - 1, groups, 0.95) >= conf]
        if ranks:
            level = ranks[0] / groups
            expected = float(np.sort(s)[int(np.ceil(level * count - 1e-9)) - 1])
        else:
            expected = float(s.max())
        thresholds.append({"scores": s.tolist(), "groups": groups, "confidence": conf, "threshold": expected,
                           "tooFew": not ranks})

    a = rng.normal(0, 1, (3, 5))
    np.save(os.path.join(out, "f8.npy"), a)
    np.save(os.path.join(out, "f4.npy"), a.astype(np.float32))
    np.save(os.path.join(out, "vector.npy"), a[0])
    np.save(os.path.join(out, "int.npy"), np.arange(4))
    np.save(os.path.join(out, "fortran.npy"), np.asfortranarray(a))
    with open(os.path.join(out, "trust.json"), "w") as f:
        json.dump({"temperature": cases, "domain": domain, "thresholds": thresholds, "npy": a.tolist()}, f)


if __name__ == "__main__":
    main()
