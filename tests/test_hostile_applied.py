"""Hostile input for the applied modules (issue 9): calibration, imbalance, noise, data, train,
reproducibility and plotting.

Every public function is called with valid arguments except one, drawn from the
shared hostile strategies of ``hostile_oracle``; the oracle then demands either a
finite result of the documented dtype and shape, or a ValueError/TypeError naming
that argument (never another exception, a warning, a hang or a mutated input).
A valid-input case per function checks the result against a reference.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hostile_oracle import (
    assert_refuses_or_ok,
    hostile_arrays,
    hostile_float_arrays,
    hostile_indices,
    hostile_ints,
    hostile_reductions,
    hostile_scalars,
    hostile_temperatures,
    hostile_weights,
    huge_logits,
    many_classes_logits,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import xent_book as xb
from xent_book import calibration as cal
from xent_book import data, imbalance, noise, plotting, reproducibility, train

# Load lazily imported modules now, so that their import time never counts against the oracle's time limit
# (an import interrupted by the alarm would leave a half-initialised module behind).
torch.optim.Adam(torch.nn.Linear(1, 1).parameters())
import sklearn.datasets  # noqa: E402
import sklearn.isotonic  # noqa: E402
import sklearn.metrics  # noqa: E402
import sklearn.model_selection  # noqa: E402, F401
import tqdm.auto  # noqa: E402, F401

N, C = 6, 3
_rng = np.random.default_rng(0)
PROBS = _rng.dirichlet(np.ones(C), size=N)
LABELS = np.array([0, 1, 2, 0, 1, 2])
P1 = np.array([0.1, 0.8, 0.4, 0.6, 0.3, 0.9])
Y01 = np.array([0, 1, 0, 1, 1, 0])
# informative but not separable logits: the label's logit is raised, but not the largest in row 1
LOGITS = _rng.normal(size=(N, C)) + 2.0 * np.eye(C)[LABELS]
LOGITS[1] = [2.0, 1.0, -1.0]
COUNTS = np.array([50.0, 20.0, 5.0])
PRIORS = COUNTS / COUNTS.sum()
T_SYM = noise.transition_matrix("symmetric", 0.2, C)
X_SMALL = _rng.normal(size=(12, 2)).astype(np.float32)
Y_SMALL = np.arange(12) % C

CHOICES = st.sampled_from(
    [
        "uniform",
        "quantile",
        "l1",
        "l2",
        "max",
        "min",
        "symmetric",
        "pair",
        "adam",
        "sgd",
        "bogus",
        "",
        None,
        1,
        ["l1"],
        np.array("l1"),
        b"l1",
    ]
)
BOOLS = st.sampled_from([True, False, np.bool_(False), 1, 0, "yes", None, 1.0])


def _float_dtype(x) -> np.dtype:
    a = np.asarray(x)
    return a.dtype if a.dtype in (np.float16, np.float32, np.float64) else np.dtype(np.float64)


def _prob_arrays(shape):
    """Probabilities: hostile values in the right shape, unnormalised rows, wrong shapes, anything."""
    good = PROBS if shape == (N, C) else P1
    return st.one_of(
        hostile_arrays(),
        hostile_float_arrays(shape),
        st.sampled_from(
            [
                good * 1.01,
                good - 0.5,
                good[:-1],
                good.T.copy(),
                np.clip(good, 0, 0.5),
                good.astype(np.float16),
                good.astype(np.float32),
                good.tolist(),
            ]
        ),
    )


def _logit_arrays(shape=(N, C)):
    return st.one_of(
        hostile_arrays(),
        hostile_float_arrays(shape),
        huge_logits(*shape),
        st.just(LOGITS.astype(np.float32)),
        st.just(LOGITS.tolist()),
    )


@dataclass(repr=False)
class Case:
    """One public function: valid keyword arguments, a hostile strategy per argument, the result's spec."""

    fn: Callable
    kwargs: dict
    hostile: dict[str, Any]
    spec: Callable[[dict], dict] = lambda kw: {}
    names: dict[str, tuple] = field(default_factory=dict)  # argument -> names a refusal may use
    examples: int = 6

    def __repr__(self):
        return f"Case({getattr(self.fn, '__qualname__', self.fn)})"

    def id(self, arg):
        return f"{getattr(self.fn, '__qualname__', self.fn)}-{arg}"


# a valid but large number of epochs is slow, not hostile: those are left out
_NOT_MANY_EPOCHS = hostile_ints().filter(lambda v: not (isinstance(v, int | np.integer) and 20 < v <= 10**5))


# likewise a valid but large number of samples (up to imbalance.MAX_SAMPLES) is slow on a loaded machine
_NOT_MANY_SAMPLES = hostile_ints().filter(
    lambda v: (
        not (
            isinstance(v, int | np.integer) and not isinstance(v, bool) and 10**5 < v <= imbalance.MAX_SAMPLES
        )
    )
)


def _float_out(kw):
    return {"dtype": np.float64, "shape": ()}


def _loss_out(kw, logits_key="logits"):
    dtype = _float_dtype(kw[logits_key])
    shape = (N,) if kw.get("reduction") == "none" else ()
    return {"dtype": dtype, "shape": shape, "inf_ok": dtype == np.float16}


def _close(fn):
    def run(**kw):
        try:
            return fn(**kw)
        finally:
            plt.close("all")

    run.__qualname__ = fn.__qualname__
    return run


PROB_ARGS = {"probs": _prob_arrays((N, C)), "labels": hostile_indices(C, (N,))}
PAIR = {"probs": ("probs", "labels"), "labels": ("labels", "probs")}
LOGIT_PAIR = {"logits": ("logits", "target"), "target": ("target", "logits")}

CASES = [
    # ---------------------------------------------------------------- calibration
    Case(
        cal.calibration_bins,
        dict(probs=PROBS, labels=LABELS, n_bins=5, strategy="uniform"),
        {**PROB_ARGS, "n_bins": hostile_ints(), "strategy": CHOICES},
        names=PAIR,
    ),
    Case(
        cal.expected_calibration_error,
        dict(probs=PROBS, labels=LABELS, n_bins=5, norm="l1", strategy="uniform"),
        {**PROB_ARGS, "n_bins": hostile_ints(), "norm": CHOICES, "strategy": CHOICES},
        _float_out,
        names=PAIR,
    ),
    Case(
        cal.expected_calibration_error,
        dict(probs=P1, labels=Y01, n_bins=4),
        {"probs": _prob_arrays((N,)), "labels": hostile_indices(2, (N,))},
        _float_out,
        names=PAIR,
    ),
    Case(
        cal.classwise_calibration_error,
        dict(probs=PROBS, labels=LABELS, n_bins=5, norm="l2", strategy="quantile"),
        {**PROB_ARGS, "n_bins": hostile_ints(), "norm": CHOICES, "strategy": CHOICES},
        _float_out,
        names=PAIR,
    ),
    Case(cal.brier_score, dict(probs=PROBS, labels=LABELS), PROB_ARGS, _float_out, names=PAIR),
    Case(
        _close(cal.reliability_diagram),
        dict(probs=PROBS, labels=LABELS, n_bins=5, show_counts=True, label=None),
        {
            **PROB_ARGS,
            "n_bins": hostile_ints(),
            "show_counts": BOOLS,
            "label": st.sampled_from([None, "m", 1, b"x"]),
        },
        names=PAIR,
        examples=4,
    ),
    Case(
        cal.fit_temperature,
        dict(logits=LOGITS, labels=LABELS, tol=1e-10, max_iter=200),
        {
            "logits": _logit_arrays(),
            "labels": hostile_indices(C, (N,)),
            "tol": hostile_scalars(),
            "max_iter": hostile_ints(),
        },
        _float_out,
        names={"logits": ("logits", "labels"), "labels": ("labels", "logits")},
    ),
    Case(
        cal.temperature_scale,
        dict(logits=LOGITS, temperature=2.0),
        {"logits": _logit_arrays(), "temperature": hostile_temperatures()},
        lambda kw: {"dtype": _float_dtype(kw["logits"]), "shape": np.shape(kw["logits"])},
        names={"logits": ("logits", "x")},
    ),
    Case(
        lambda **kw: cal.IsotonicCalibrator().fit(**kw).transform(kw["probs"]),
        dict(probs=PROBS, labels=LABELS),
        PROB_ARGS,
        lambda kw: {"dtype": np.float64, "shape": (N, C)},
        names=PAIR,
        examples=4,
    ),
    Case(
        lambda **kw: cal.HistogramBinningCalibrator(**kw).fit(PROBS, LABELS).transform(PROBS),
        dict(n_bins=5, strategy="uniform"),
        {"n_bins": hostile_ints(), "strategy": CHOICES},
        lambda kw: {"dtype": np.float64, "shape": (N, C)},
    ),
    Case(
        lambda norm: cal.calibration_bins(PROBS, LABELS, 5).error(norm),
        dict(norm="l1"),
        {"norm": CHOICES},
        _float_out,
    ),
    # ---------------------------------------------------------------- imbalance
    Case(
        imbalance.class_priors_from_counts,
        dict(counts=COUNTS),
        {"counts": hostile_arrays()},
        lambda kw: {"dtype": np.float64, "shape": np.shape(kw["counts"])},
    ),
    Case(
        imbalance.inverse_frequency_weights,
        dict(counts=COUNTS),
        {"counts": hostile_arrays()},
        lambda kw: {"dtype": np.float64, "shape": np.shape(kw["counts"])},
    ),
    Case(
        imbalance.class_balanced_weights,
        dict(counts=COUNTS, beta=0.999),
        {"counts": hostile_arrays(), "beta": hostile_scalars()},
        lambda kw: {"dtype": np.float64, "shape": np.shape(kw["counts"])},
    ),
    Case(
        imbalance.logit_adjusted_cross_entropy,
        dict(logits=LOGITS, target=LABELS, class_priors=PRIORS, tau=1.0, reduction="mean"),
        {
            "logits": _logit_arrays(),
            "target": hostile_indices(C, (N,)),
            "class_priors": hostile_arrays(),
            "tau": hostile_scalars(),
            "reduction": hostile_reductions(),
        },
        _loss_out,
        names={**LOGIT_PAIR, "class_priors": ("class_priors", "logits")},
    ),
    Case(
        imbalance.posthoc_logit_adjustment,
        dict(logits=LOGITS, class_priors=PRIORS, tau=1.0),
        {"logits": _logit_arrays(), "class_priors": hostile_arrays(), "tau": hostile_scalars()},
        lambda kw: {"dtype": _float_dtype(kw["logits"]), "shape": np.shape(kw["logits"]), "inf_ok": True},
        names={"logits": ("logits", "class_priors"), "class_priors": ("class_priors", "logits")},
    ),
    Case(
        imbalance.per_class_recall,
        dict(y_true=LABELS, y_pred=np.roll(LABELS, 1), num_classes=C, zero_division=0.0),
        {
            "y_true": hostile_indices(C, (N,)),
            "y_pred": hostile_indices(C, (N,)),
            "num_classes": hostile_ints(),
            "zero_division": hostile_scalars(),
        },
        lambda kw: {"dtype": np.float64, "nan_ok": True},
        names={
            "y_true": ("y_true", "y_pred"),
            "y_pred": ("y_pred", "y_true"),
            "num_classes": ("num_classes", "y_true", "y_pred"),
        },
    ),
    Case(
        imbalance.balanced_accuracy,
        dict(y_true=LABELS, y_pred=np.roll(LABELS, 1), num_classes=None),
        {
            "y_true": hostile_indices(C, (N,)),
            "y_pred": hostile_indices(C, (N,)),
            "num_classes": hostile_ints(),
        },
        _float_out,
        names={
            "y_true": ("y_true", "y_pred"),
            "y_pred": ("y_pred", "y_true"),
            "num_classes": ("num_classes", "y_true", "y_pred"),
        },
    ),
    Case(
        imbalance.class_balanced_sample_weights,
        dict(labels=LABELS, num_classes=None, power=1.0),
        {"labels": hostile_indices(C, (N,)), "num_classes": hostile_ints(), "power": hostile_scalars()},
        lambda kw: {"dtype": np.float64, "shape": (N,)},
        names={"num_classes": ("num_classes", "labels")},
    ),
    Case(
        imbalance.balanced_resample_indices,
        dict(labels=LABELS, num_samples=10, seed=0, power=1.0),
        {
            "labels": hostile_indices(C, (N,)),
            "num_samples": _NOT_MANY_SAMPLES,
            "seed": hostile_ints(),
            "power": hostile_scalars(),
        },
        lambda kw: {"dtype": np.int64},
    ),
    Case(
        imbalance.focal_ce_loss,
        dict(gamma=2.0, alpha=None, reduction="mean"),
        {"gamma": hostile_scalars(), "alpha": hostile_weights(C), "reduction": hostile_reductions()},
    ),
    Case(
        imbalance.logit_adjusted_loss,
        dict(class_priors=PRIORS, tau=1.0, reduction="mean"),
        {"class_priors": hostile_arrays(), "tau": hostile_scalars(), "reduction": hostile_reductions()},
    ),
    Case(
        imbalance.long_tailed_counts,
        dict(num_classes=10, imbalance_ratio=100.0, n_max=500),
        {"num_classes": hostile_ints(), "imbalance_ratio": hostile_scalars(), "n_max": hostile_ints()},
        lambda kw: {"dtype": np.int64},
    ),
    Case(
        imbalance.fit_linear_remedies,
        dict(
            X=X_SMALL,
            y=Y_SMALL,
            remedies={
                "ce": {},
                "focal": {"gamma": 2.0, "sample_weight": np.ones(12), "divide_by_weight": False},
            },
            init_weight=np.zeros((2, C)),
            init_bias=None,
            steps=2,
            lr=0.1,
            optimizer="adam",
            X_eval=None,
            record_at=None,
        ),
        {
            "X": hostile_arrays(),
            "y": hostile_indices(C, (12,)),
            "remedies": st.sampled_from(
                [
                    None,
                    [],
                    {},
                    {"a": 1},
                    {"a": {"bogus": 1}},
                    {"a": {"sample_weight": -np.ones(12)}},
                    {"a": {"sample_weight": np.zeros(12)}},
                    {"a": {"sample_weight": np.full(12, 1e308)}},
                    {"a": {"gamma": np.nan}},
                    {"a": {"gamma": "2"}},
                    {"a": {"divide_by_weight": 1}},
                    {"a": {"logit_offset": np.full(C, 1e308)}},
                    {"a": {"logit_offset": np.ones(C + 1)}},
                ]
            ),
            "init_weight": hostile_arrays(),
            "init_bias": hostile_arrays(),
            "steps": _NOT_MANY_EPOCHS,
            "lr": hostile_scalars(),
            "optimizer": CHOICES,
            "X_eval": hostile_arrays(),
            "record_at": hostile_arrays(),
        },
        names={
            "X": ("X", "y"),
            "y": ("y", "X"),
            "init_weight": ("init_weight", "X", "y", "remedies", "init_bias"),
        },
        examples=4,
    ),
    # ---------------------------------------------------------------- noise
    Case(
        noise.transition_matrix,
        dict(kind="symmetric", rate=0.2, num_classes=C),
        {"kind": CHOICES, "rate": hostile_scalars(), "num_classes": hostile_ints()},
        lambda kw: {"dtype": np.float64},
    ),
    Case(
        noise.corrupt_labels,
        dict(labels=LABELS, T=T_SYM, seed=0),
        {"labels": hostile_indices(C, (N,)), "T": hostile_arrays(), "seed": hostile_ints()},
        lambda kw: {"dtype": np.int64},
        names={"T": ("T", "labels"), "labels": ("labels", "T")},
    ),
    Case(
        noise.symmetric_noise,
        dict(labels=LABELS, rate=0.3, num_classes=C, seed=0),
        {
            "labels": hostile_indices(C, (N,)),
            "rate": hostile_scalars(),
            "num_classes": hostile_ints(),
            "seed": hostile_ints(),
        },
        lambda kw: {"dtype": np.int64},
        names={"num_classes": ("num_classes", "labels")},
    ),
    Case(
        noise.pair_noise,
        dict(labels=LABELS, rate=0.3, num_classes=C, seed=0),
        {"labels": hostile_indices(C, (N,)), "rate": hostile_scalars(), "num_classes": hostile_ints()},
        lambda kw: {"dtype": np.int64},
        names={"num_classes": ("num_classes", "labels")},
    ),
    Case(
        noise.estimate_transition_matrix,
        dict(probs=PROBS, quantile=0.97),
        {"probs": _prob_arrays((N, C)), "quantile": hostile_scalars()},
        lambda kw: {"dtype": np.float64},
    ),
    Case(
        noise.generalized_cross_entropy,
        dict(logits=LOGITS, target=LABELS, q=0.7, reduction="mean"),
        {
            "logits": _logit_arrays(),
            "target": hostile_indices(C, (N,)),
            "q": hostile_scalars(),
            "reduction": hostile_reductions(),
        },
        _loss_out,
        names=LOGIT_PAIR,
    ),
    Case(
        noise.mean_absolute_error_loss,
        dict(logits=LOGITS, target=LABELS, reduction="none"),
        {"logits": _logit_arrays(), "target": hostile_indices(C, (N,)), "reduction": hostile_reductions()},
        _loss_out,
        names=LOGIT_PAIR,
    ),
    Case(
        noise.symmetric_cross_entropy,
        dict(logits=LOGITS, target=LABELS, alpha=0.1, beta=1.0, A=-4.0),
        {
            "logits": _logit_arrays(),
            "target": hostile_indices(C, (N,)),
            "alpha": hostile_scalars(),
            "beta": hostile_scalars(),
            "A": hostile_scalars(),
        },
        _loss_out,
        names=LOGIT_PAIR,
    ),
    Case(
        noise.forward_corrected_cross_entropy,
        dict(logits=LOGITS, target=LABELS, T=T_SYM, reduction="sum"),
        {
            "logits": _logit_arrays(),
            "target": hostile_indices(C, (N,)),
            "T": hostile_arrays(),
            "reduction": hostile_reductions(),
        },
        lambda kw: {**_loss_out(kw), "inf_ok": True},
        names={**LOGIT_PAIR, "T": ("T", "logits")},
    ),
    Case(
        noise.gce_loss,
        dict(q=0.7, reduction="mean"),
        {"q": hostile_scalars(), "reduction": hostile_reductions()},
    ),
    Case(
        noise.sce_loss,
        dict(alpha=0.1, beta=1.0, A=-4.0),
        {"alpha": hostile_scalars(), "beta": hostile_scalars(), "A": hostile_scalars()},
    ),
    Case(
        noise.forward_corrected_loss,
        dict(T=T_SYM, reduction="mean"),
        {"T": hostile_arrays(), "reduction": hostile_reductions()},
    ),
    # ---------------------------------------------------------------- data
    Case(
        data.stratified_split,
        dict(X=X_SMALL, y=Y_SMALL, num_classes=C, val_fraction=0.25, test_fraction=0.25, seed=0),
        {
            "X": hostile_arrays(),
            "y": hostile_indices(C, (12,)),
            "num_classes": hostile_ints(),
            "val_fraction": hostile_scalars(),
            "test_fraction": hostile_scalars(),
            "seed": hostile_ints(),
        },
        names={
            "X": ("X", "y"),
            "y": ("y", "X"),
            "num_classes": ("num_classes", "y"),
            "val_fraction": ("val_fraction", "X, y, val_fraction, test_fraction"),
            "test_fraction": ("test_fraction", "X, y, val_fraction, test_fraction"),
        },
        examples=10,
    ),
    Case(
        data.gaussian_blobs,
        dict(
            n_samples=30,
            num_classes=3,
            n_features=2,
            cluster_std=1.0,
            separation=2.0,
            val_fraction=0.2,
            test_fraction=0.2,
            seed=0,
        ),
        {
            "n_samples": hostile_ints(),
            "num_classes": hostile_ints(),
            "n_features": hostile_ints(),
            "cluster_std": hostile_scalars(),
            "separation": hostile_scalars(),
            "val_fraction": hostile_scalars(),
            "seed": hostile_ints(),
        },
        names={
            "n_samples": ("n_samples", "num_classes", "n_samples, val_fraction, test_fraction"),
            "num_classes": ("num_classes", "n_samples, val_fraction, test_fraction"),
            "val_fraction": ("val_fraction", "n_samples, val_fraction, test_fraction"),
        },
        examples=10,
    ),
    Case(
        data.spirals,
        dict(n_samples=30, num_classes=3, noise=0.2, turns=1.0, seed=0),
        {
            "n_samples": hostile_ints(),
            "num_classes": hostile_ints(),
            "noise": hostile_scalars(),
            "turns": hostile_scalars(),
            "seed": hostile_ints(),
        },
        names={
            "n_samples": ("n_samples", "num_classes", "n_samples, val_fraction, test_fraction"),
            "num_classes": ("num_classes", "n_samples, val_fraction, test_fraction"),
        },
        examples=10,
    ),
    Case(
        data.long_tailed_blobs,
        dict(num_classes=3, imbalance_ratio=10.0, n_max=20, n_val_per_class=2, n_test_per_class=2, seed=0),
        {
            "num_classes": hostile_ints(),
            "imbalance_ratio": hostile_scalars(),
            "n_max": hostile_ints(),
            "n_val_per_class": hostile_ints(),
            "cluster_std": hostile_scalars(),
            "seed": hostile_ints(),
        },
        names={
            k: (k, "n_max, n_val_per_class, n_test_per_class, n_features")
            for k in ("num_classes", "n_max", "n_val_per_class")
        },
        examples=10,
    ),
    Case(
        data.load_digits_split,
        dict(val_fraction=0.2, test_fraction=0.2, standardize=True, seed=0),
        {"test_fraction": hostile_scalars(), "standardize": BOOLS, "seed": hostile_ints()},
        names={"test_fraction": ("test_fraction", "val_fraction + test_fraction")},
        examples=4,
    ),
    Case(
        lambda part: data.gaussian_blobs(n_samples=30).class_counts(part),
        dict(part="train"),
        {"part": CHOICES},
        lambda kw: {"dtype": np.int64, "shape": (3,)},
    ),
    # ---------------------------------------------------------------- train
    Case(
        train.make_model,
        dict(in_features=2, num_classes=3, hidden=(4,), dropout=0.0, seed=0),
        {
            "in_features": hostile_ints(),
            "num_classes": hostile_ints(),
            "hidden": st.one_of(
                st.sampled_from([(), None, (0,), (2.0,), 4, "4", [True], (10**9,)]),
                st.lists(hostile_ints(), max_size=2),
            ),
            "dropout": hostile_scalars(),
            "seed": hostile_ints(),
        },
        names={
            "in_features": ("in_features", "in_features, hidden, num_classes"),
            "hidden": ("hidden", "in_features, hidden, num_classes"),
            "num_classes": ("num_classes", "in_features, hidden, num_classes"),
        },
        examples=10,
    ),
    Case(
        lambda **kw: train.fit(train.make_model(2, C, hidden=(), seed=0), loss_fn=F.cross_entropy, **kw),
        dict(
            X=X_SMALL,
            y=Y_SMALL,
            epochs=1,
            lr=0.1,
            batch_size=4,
            seed=0,
            optimizer="adam",
            sample_weights=None,
            progress=False,
        ),
        {
            "X": hostile_arrays(),
            "y": hostile_indices(C, (12,)),
            "epochs": _NOT_MANY_EPOCHS,
            "lr": hostile_scalars(),
            "batch_size": hostile_ints(),
            "seed": hostile_ints(),
            "optimizer": CHOICES,
            "sample_weights": hostile_arrays(),
            "progress": BOOLS,
        },
        names={"X": ("X", "y"), "y": ("y", "X")},
        examples=4,
    ),
    Case(
        lambda **kw: train.predict_logits(train.make_model(2, C, hidden=(), seed=0), **kw),
        dict(X=X_SMALL, batch_size=None),
        {"X": hostile_arrays(), "batch_size": hostile_ints()},
        lambda kw: {"dtype": np.float64},
        examples=10,
    ),
    Case(
        lambda **kw: train.evaluate(train.make_model(2, C, hidden=(), seed=0), **kw),
        dict(X=X_SMALL, y=Y_SMALL),
        {"X": hostile_arrays(), "y": hostile_indices(C, (12,))},
        names={"X": ("X", "y"), "y": ("y", "X")},
        examples=10,
    ),
    Case(
        lambda key, mode: _history().best_epoch(key, mode),
        dict(key="val_nll", mode="min"),
        {"key": st.sampled_from(["val_nll", "all_nan", "bogus", None, 1, ["val_nll"]]), "mode": CHOICES},
    ),
    # ---------------------------------------------------------------- reproducibility, plotting
    Case(reproducibility.seed_everything, dict(seed=0), {"seed": hostile_ints()}),
    Case(
        lambda **kw: _restoring(reproducibility.setup_notebook, **kw),
        dict(seed=0),
        {"seed": hostile_ints()},
        examples=4,
    ),
    Case(
        _close(plotting.new_figure),
        dict(ncols=1, nrows=1, width=3.0, height=2.0),
        {
            "ncols": hostile_ints(),
            "nrows": hostile_ints(),
            "width": hostile_scalars(),
            "height": hostile_scalars(),
        },
        examples=4,
    ),
    Case(
        lambda **kw: plotting.style_axes(_AX, **kw),
        dict(xlabel="x (nats)", ylabel="y", title=None),
        {"xlabel": hostile_scalars(), "title": st.sampled_from([None, "t", 1, ["t"]])},
    ),
]

_AX = plt.figure().add_subplot()


def _history():
    h = train.History()
    for epoch, v in enumerate([np.nan, 0.4, 0.2, np.nan], start=1):
        h.append(epoch=epoch, val_nll=v, all_nan=np.nan)
    return h


def _restoring(fn, **kw):
    threads, det = torch.get_num_threads(), torch.are_deterministic_algorithms_enabled()
    rc = matplotlib.rcParams.copy()
    try:
        return fn(**kw)
    finally:
        torch.set_num_threads(threads)
        torch.use_deterministic_algorithms(det)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            matplotlib.rcParams.update(rc)


PAIRS = [(case, arg) for case in CASES for arg in case.hostile if case.examples > 4]
SLOW_PAIRS = [(case, arg) for case in CASES for arg in case.hostile if case.examples <= 4]
_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large]


@pytest.mark.parametrize("case, arg", PAIRS, ids=[c.id(a) for c, a in PAIRS])
@given(payload=st.data())
@settings(max_examples=6, suppress_health_check=_HEALTH)
def test_hostile_argument(case, arg, payload):
    _hostile_call(case, arg, payload)


@pytest.mark.parametrize("case, arg", SLOW_PAIRS, ids=[c.id(a) for c, a in SLOW_PAIRS])
@given(payload=st.data())
@settings(max_examples=3, suppress_health_check=_HEALTH)
def test_hostile_argument_of_a_slow_function(case, arg, payload):
    _hostile_call(case, arg, payload)


def _hostile_call(case, arg, payload):
    value = payload.draw(case.hostile[arg], label=arg)
    kwargs = dict(case.kwargs, **{arg: value})
    spec = {"dtype": None, "shape": None}
    try:
        spec.update(case.spec(kwargs))
    except (
        Exception
    ):  # a spec that cannot read a hostile value: the call must refuse, which the oracle checks
        spec = {}
    assert_refuses_or_ok(case.fn, arg=case.names.get(arg, (arg,)), **spec, **kwargs)


@pytest.mark.parametrize("case", CASES, ids=[c.id("valid") for c in CASES])
def test_valid_arguments_return(case):
    spec = case.spec(dict(case.kwargs))
    assert_refuses_or_ok(case.fn, arg=None, **spec, **case.kwargs)


# ---------------------------------------------------------------- the torch callables' own inputs

TORCH_LOSSES = {
    "focal_ce_loss": imbalance.focal_ce_loss(gamma=2.0, alpha=np.ones(C)),
    "logit_adjusted_loss": imbalance.logit_adjusted_loss(PRIORS),
    "gce_loss": noise.gce_loss(),
    "mae_loss": noise.mae_loss(),
    "sce_loss": noise.sce_loss(),
    "forward_corrected_loss": noise.forward_corrected_loss(T_SYM),
}
_TL = torch.from_numpy(LOGITS)
_TY = torch.from_numpy(LABELS)
TORCH_TARGETS = st.sampled_from(
    [
        _TY,
        _TY.int(),
        _TY - 1,
        _TY + 1,
        torch.full((N,), -100),
        torch.zeros(N - 1, dtype=torch.long),
        _TY.double(),
        _TY.bool(),
        LABELS,
        torch.zeros((N, 1), dtype=torch.long),
    ]
)
TORCH_LOGITS = st.one_of(
    hostile_float_arrays().map(torch.from_numpy),
    hostile_float_arrays((N, C)).map(torch.from_numpy),
    st.sampled_from([_TL.float(), _TL[:, :2].contiguous(), _TL.long(), _TL[0], LOGITS, torch.zeros(0, C)]),
)


@pytest.mark.parametrize("name", list(TORCH_LOSSES))
@given(logits=TORCH_LOGITS, target=TORCH_TARGETS)
@settings(max_examples=8)
def test_torch_losses_hostile_logits_and_targets(name, logits, target):
    loss = TORCH_LOSSES[name]
    if (
        isinstance(logits, torch.Tensor)
        and logits.dim() == 2
        and logits.shape[0] != N
        and logits.shape[0] > 0
    ):
        target = torch.zeros(logits.shape[0], dtype=torch.long)
    out = assert_refuses_or_ok(
        loss, logits, target, arg=("logits", "target", "alpha", "class_priors"), nan_ok=True, inf_ok=True
    )
    if out.ok:  # accepted only what the NumPy references accept, and agrees with them
        assert (
            isinstance(logits, torch.Tensor) and logits.is_floating_point() and torch.isfinite(logits).all()
        )


@pytest.mark.parametrize("name", list(TORCH_LOSSES))
def test_torch_losses_match_their_numpy_references(name):
    ref = {
        "focal_ce_loss": lambda: xb.focal_loss(LOGITS, LABELS, gamma=2.0, alpha=np.ones(C)),
        "logit_adjusted_loss": lambda: imbalance.logit_adjusted_cross_entropy(LOGITS, LABELS, PRIORS),
        "gce_loss": lambda: noise.generalized_cross_entropy(LOGITS, LABELS),
        "mae_loss": lambda: noise.mean_absolute_error_loss(LOGITS, LABELS),
        "sce_loss": lambda: noise.symmetric_cross_entropy(LOGITS, LABELS),
        "forward_corrected_loss": lambda: noise.forward_corrected_cross_entropy(LOGITS, LABELS, T_SYM),
    }[name]()
    got = TORCH_LOSSES[name](_TL, _TY)
    assert got.item() == pytest.approx(float(ref), rel=1e-12)


# ---------------------------------------------------------------- the edges named in issue 9


def test_very_many_classes_stay_o_n_c():
    z = many_classes_logits(2, 100_000)
    p = xb.softmax(z)
    y = np.array([0, 99_999])
    bs = assert_refuses_or_ok(cal.brier_score, p, y, dtype=np.float64, shape=()).value
    ref = np.sum(p**2, axis=1) - 2 * p[[0, 1], y] + 1
    assert bs == pytest.approx(ref.mean(), rel=1e-12)
    assert_refuses_or_ok(cal.expected_calibration_error, p, y, dtype=np.float64, shape=())
    assert_refuses_or_ok(
        imbalance.logit_adjusted_cross_entropy, z, y, np.full(100_000, 1e-5), dtype=np.float64
    )
    assert_refuses_or_ok(noise.generalized_cross_entropy, z, y, dtype=np.float64)
    informative = np.array([np.argmax(z[0]), np.argsort(z[1])[-2]])  # a finite T exists: not separable
    assert_refuses_or_ok(cal.fit_temperature, z, informative, arg=None, dtype=np.float64)


@pytest.mark.parametrize("scale", [5e-324 * 2**20, 1e-300, 1e-8, 1e8, 1e300])
def test_fit_temperature_scales_with_the_logits_at_every_magnitude(scale):
    z = np.array([[2.0, 0.0, -1.0], [0.5, 1.0, 0.0], [0.0, -1.0, 3.0], [1.0, 0.0, 0.5]])
    y = np.array([0, 0, 2, 1])
    T1 = cal.fit_temperature(z, y)
    T = assert_refuses_or_ok(cal.fit_temperature, z * scale, y, dtype=np.float64).value
    assert T == pytest.approx(T1 * scale, rel=1e-6 if scale < 1e-300 else 1e-12)


@pytest.mark.parametrize(
    "counts",
    [[1e308, 1e308], [5e-324, 5e-324], [5e-324, 1.0], [1e-300, 1e300], [1.0, 1e300, 1e-10]],
)
def test_priors_and_weights_at_extreme_counts(counts):
    n = np.array(counts)
    pri = assert_refuses_or_ok(imbalance.class_priors_from_counts, n, dtype=np.float64, shape=n.shape).value
    inv = assert_refuses_or_ok(imbalance.inverse_frequency_weights, n, dtype=np.float64, shape=n.shape).value
    cb = assert_refuses_or_ok(imbalance.class_balanced_weights, n, 0.9, dtype=np.float64, shape=n.shape).value
    assert (
        pri.sum() == pytest.approx(1.0)
        and inv.sum() == pytest.approx(len(n))
        and cb.sum() == pytest.approx(len(n))
    )
    big = np.argmax(n)
    assert pri[big] > 0 and inv[np.argmin(n)] > 0 and cb[np.argmin(n)] > 0
    # exact ratios where float64 can hold them (logs as the independent reference)
    with np.errstate(divide="ignore"):
        ref = np.exp(np.log(n) - np.log(n).max())
    np.testing.assert_allclose(pri, ref / ref.sum(), rtol=1e-12, atol=1e-300)


def test_max_iter_below_one_and_unconverged_fits_are_refused():
    for max_iter in (0, -1):
        assert_refuses_or_ok(
            cal.fit_temperature, LOGITS, LABELS, max_iter=max_iter, arg="max_iter", must_refuse=True
        )
    z = _rng.normal(size=(200, 4)) * 5
    y = _rng.integers(0, 4, 200)
    assert_refuses_or_ok(cal.fit_temperature, z, y, max_iter=1, arg="max_iter", must_refuse=True)


_MODEL = train.make_model(2, C, hidden=(), seed=0)


@pytest.mark.parametrize(
    "fn, args, kwargs, arg",
    [
        (data.stratified_split, (X_SMALL, np.where(Y_SMALL == 2, 3, Y_SMALL), C), {}, "y"),  # >= num_classes
        (data.stratified_split, (X_SMALL, np.where(Y_SMALL == 2, -1, Y_SMALL), C), {}, "y"),  # negative
        (data.stratified_split, (X_SMALL, Y_SMALL + 0.5, C), {}, "y"),  # float labels
        (data.stratified_split, (X_SMALL, Y_SMALL.astype(np.uint64) - np.uint64(100), C), {}, "y"),  # wraps
        (
            train.evaluate,
            (_MODEL, X_SMALL, np.where(Y_SMALL == 2, -1, Y_SMALL)),
            {},
            "y",
        ),  # -1: not the last class
        (noise.corrupt_labels, (np.full(N, 2**64 - 100, dtype=np.uint64), T_SYM), {}, "labels"),
        (imbalance.per_class_recall, (np.full(N, 2**64 - 100, dtype=np.uint64), LABELS), {}, "y_true"),
        (cal.brier_score, (PROBS, np.full(N, 2**64 - 1, dtype=np.uint64)), {}, "labels"),
        (cal.fit_temperature, (LOGITS, LABELS), {"max_iter": 0}, "max_iter"),
        (cal.fit_temperature, (np.eye(C)[LABELS] * 3, LABELS), {}, "logits"),  # separable: T -> 0
        (imbalance.focal_ce_loss, (), {"gamma": "2"}, "gamma"),
        (imbalance.focal_ce_loss, (), {"gamma": True}, "gamma"),
        (imbalance.focal_ce_loss, (), {"gamma": 10**400}, "gamma"),
        (data.long_tailed_counts, (10, 100.0, 10**400), {}, "n_max"),
        (data.gaussian_blobs, (), {"seed": -1}, "seed"),
        (data.stack_splits, ([],), {}, "splits"),
        (data.stack_splits, (["not a split"],), {}, "splits"),
        (
            data.stack_splits,
            ([data.gaussian_blobs(n_samples=30), data.gaussian_blobs(n_samples=60)],),
            {},
            "splits",
        ),
        (data.gaussian_blobs, (), {"num_classes": 3.0}, "num_classes"),
        (noise.transition_matrix, ("symmetric", 0.1, np.float64(3)), {}, "num_classes"),
        (lambda: _history().best_epoch("all_nan"), (), {}, "key"),
        (imbalance.posthoc_logit_adjustment, (LOGITS, PRIORS), {"tau": 1e308}, "tau"),  # tau log pi overflows
        (noise.symmetric_cross_entropy, (LOGITS, LABELS), {"beta": 1e308}, ("alpha", "beta", "A")),
    ],
)
def test_issue_examples_are_refused(fn, args, kwargs, arg):
    assert_refuses_or_ok(fn, *args, arg=arg, must_refuse=True, **kwargs)


def test_focal_ce_loss_refuses_alpha_of_the_wrong_length_at_call_time():
    loss = imbalance.focal_ce_loss(alpha=np.ones(C + 1))
    assert_refuses_or_ok(loss, _TL, _TY, arg="alpha", must_refuse=True)
