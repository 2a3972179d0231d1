#!/usr/bin/python3
"""Reference figures for SpineLens's evaluation metrics, from scikit-learn (Debian's
python3-sklearn) and numpy, on prediction sets made here: multi-class, binary, a class with no
positives, and heavy ties in the scores.

usage: metrics_reference.py OUTDIR
writes OUTDIR/<set>.csv (label, p0..pK-1; first line the class names) and OUTDIR/<set>.json.
"""
import json
import os
import sys

import numpy as np
from sklearn.metrics import (accuracy_score, average_precision_score, confusion_matrix,
                             precision_recall_curve, precision_recall_fscore_support,
                             recall_score, roc_auc_score, roc_curve)

RESAMPLES = 200
SEED = 77
BINS = 10
MASK = (1 << 64) - 1


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def make_set(rng, n, classes, never=None, decimals=None, signal=2.0):
    k = len(classes)
    labels = rng.integers(0, k, n)
    if never is not None:
        labels[labels == never] = (never + 1) % k
    logits = rng.normal(0, 1, (n, k))
    logits[np.arange(n), labels] += signal
    p = np.exp(logits)
    p /= p.sum(1, keepdims=True)
    if decimals is not None:
        p = np.round(p, decimals)
        p[:, -1] = np.clip(1 - p[:, :-1].sum(1), 0, 1)
    return labels, p


def defined_auc(y, s, w=None):
    keep = np.ones_like(y, dtype=bool) if w is None else w > 0
    if len(np.unique(y[keep])) < 2:
        return None
    return float(roc_auc_score(y, s, sample_weight=w))


def reference(labels, p, classes, groups=None):
    n, k = p.shape
    pred = p.argmax(1)
    out = {"accuracy": accuracy_score(labels, pred)}
    prec, rec, f1, sup = precision_recall_fscore_support(labels, pred, labels=list(range(k)),
                                                         zero_division=0)
    cm = confusion_matrix(labels, pred, labels=list(range(k)))
    out["confusion"] = cm.tolist()
    out["confusionRowPercent"] = (100 * confusion_matrix(labels, pred, labels=list(range(k)),
                                                         normalize="true")).tolist()
    for avg in ("macro", "weighted"):
        a = precision_recall_fscore_support(labels, pred, labels=list(range(k)), average=avg,
                                            zero_division=0)
        out[avg] = {"precision": a[0], "recall": a[1], "f1": a[2]}
    out["classes"] = []
    aucs = []
    for c in range(k):
        y = (labels == c).astype(int)
        tn = int(((labels != c) & (pred != c)).sum())
        fp = int(((labels != c) & (pred == c)).sum())
        auc = defined_auc(y, p[:, c])
        aucs.append(auc)
        entry = {"name": classes[c], "support": int(sup[c]), "precision": prec[c],
                 "recall": rec[c], "f1": f1[c], "sensitivity": rec[c],
                 "specificity": tn / (tn + fp) if tn + fp else 0.0, "auc": auc,
                 "averagePrecision": float(average_precision_score(y, p[:, c])) if y.any()
                 else None}
        if auc is not None:
            fpr, tpr, thr = roc_curve(y, p[:, c], drop_intermediate=False)
            entry["roc"] = {"fpr": fpr.tolist(), "tpr": tpr.tolist(), "thresholds": thr[1:].tolist()}
        if y.any():
            pr_p, pr_r, pr_t = precision_recall_curve(y, p[:, c])
            entry["pr"] = {"precision": pr_p[::-1].tolist(), "recall": pr_r[::-1].tolist(),
                           "thresholds": pr_t[::-1].tolist()}
        out["classes"].append(entry)
    defined = [a for a in aucs if a is not None]
    out["macroAuc"] = float(np.mean(defined)) if defined else None
    normal = [i for i, c in enumerate(classes) if c.lower() in ("normal", "healthy")]
    if normal:
        nrm = normal[0]
        disease, flagged = (labels != nrm).astype(int), (pred != nrm).astype(int)
        out["diseaseSensitivity"] = recall_score(disease, flagged, zero_division=0)
        out["diseaseSpecificity"] = recall_score(1 - disease, 1 - flagged, zero_division=0)
    # Expected calibration error: top-class confidence, equal-width bins (lower, upper].
    conf = p[np.arange(n), pred]
    correct = (pred == labels).astype(float)
    ece = 0.0
    for b in range(BINS):
        inside = (conf > b / BINS) & (conf <= (b + 1) / BINS)
        if inside.any():
            ece += abs(correct[inside].mean() - conf[inside].mean()) * inside.sum() / n
    out["ece"] = ece
    # Bootstrap with SpineLens's documented index stream, sklearn's AUC with sample weights.
    # Groups (patients) are drawn whole, in order of first appearance; no groups: each case.
    members, index = [], {}
    for i in range(n):
        g = None if groups is None else groups[i]
        if g is None or g == "":
            members.append([i])
        else:
            if g not in index:
                index[g] = len(members)
                members.append([])
            members[index[g]].append(i)
    state = SEED
    accs, macros = [], []
    for _ in range(RESAMPLES):
        w = np.zeros(n)
        for _ in range(len(members)):
            state, v = splitmix64(state)
            w[members[v % len(members)]] += 1
        accs.append(float((w * correct).sum() / w.sum()))
        rs = [defined_auc((labels == c).astype(int), p[:, c], w) for c in range(k)]
        rs = [a for a in rs if a is not None]
        if rs:
            macros.append(float(np.mean(rs)))
    out["bootstrap"] = {"resamples": RESAMPLES, "seed": SEED,
                        "unit": "patient/study" if len(members) < n else "case",
                        "units": len(members)}
    if groups is not None:
        out["groups"] = list(groups)
    out["accuracyCi95"] = [float(np.percentile(accs, 2.5)), float(np.percentile(accs, 97.5))]
    out["macroAucCi95"] = [float(np.percentile(macros, 2.5)), float(np.percentile(macros, 97.5))]
    return out


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(5)
    xray = ["foraminal stenosis", "osteophyte", "surgical implant", "normal"]
    sets = {
        "multiclass": (xray, make_set(rng, 300, xray)),
        "binary": (["healthy", "degenerative"], make_set(rng, 200, ["healthy", "degenerative"],
                                                          signal=1.0)),
        "no-positives": (xray, make_set(rng, 150, xray, never=2)),
        "ties": (xray, make_set(rng, 250, xray, decimals=1, signal=1.0)),
        "grouped": (xray, make_set(rng, 240, xray, signal=1.5)),
    }
    # 'grouped': slices of about 60 patients (1 to 7 each), the unit its bootstrap resamples.
    sizes = rng.integers(1, 8, 240)
    patient_of = np.repeat(np.arange(240), sizes)[:240]
    grouped_ids = [f"patient-{int(g):03d}" for g in patient_of]
    for name, (classes, (labels, p)) in sets.items():
        with open(os.path.join(out, name + ".csv"), "w") as f:
            f.write(",".join(classes) + "\n")
            for y, row in zip(labels, p):
                f.write(str(int(y)) + "," + ",".join(repr(float(v)) for v in row) + "\n")
        with open(os.path.join(out, name + ".json"), "w") as f:
            json.dump(reference(labels, p, classes,
                                grouped_ids if name == "grouped" else None), f)
        print("wrote", name)


if __name__ == "__main__":
    main()
