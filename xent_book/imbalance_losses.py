"""The losses of class imbalance: logit adjustment, the focal loss for training, and every remedy at once.

NumPy functions are float64 references; the ``*_loss`` factories return
PyTorch callables ``loss(logits, target)`` for :func:`xent_book.train.fit`,
built on the same formula as their NumPy reference: the logit offset
``tau log pi`` is computed once and added by one helper for both, and the
focal factor is :mod:`xent_book.losses`' own ``(1 - q_t)^gamma`` kernel.
:func:`fit_linear_remedies` trains one linear softmax model per remedy
(weights, re-sampling, focal power, logit offset) on one data set at once.

The class priors and weights these losses take, the re-sampling and the
metrics live in :mod:`xent_book.imbalance`, which re-exports every name here
(their home before the split).

Notes
-----
Chapter 8 (class imbalance).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
from numpy.typing import ArrayLike

from ._kernels import _focal_modulation
from ._validation import (
    check_array,
    check_bool,
    check_choice,
    check_distribution,
    check_finite,
    check_int,
    check_labels,
    check_logits_target_tensors,
    check_positive,
    check_real,
    check_reduction,
)

__all__ = [
    "logit_adjusted_cross_entropy",
    "logit_adjusted_loss",
    "posthoc_logit_adjustment",
    "focal_ce_loss",
    "fit_linear_remedies",
]


# ----------------------------------------------------------------------------
# the logit offset, one helper for NumPy and PyTorch
# ----------------------------------------------------------------------------


def _class_axis(ndim: int) -> int:
    # torch's convention: input (C,), (N, C) or (N, C, d1, ...): classes on axis 1 unless 1-D.
    return 0 if ndim == 1 else 1


def _log_prior_offset(class_priors, tau) -> np.ndarray:
    """``tau * log(pi)``: the one formula behind every logit adjustment here."""
    t = check_real(tau, "tau")
    pi = check_array(
        class_priors, "class_priors", ndim=1, expected="a 1-D array (one prior per class)", nonempty=True
    ).astype(np.float64)
    check_distribution(pi, "class_priors")  # in [0, 1] first: priors near 1.8e308 cannot overflow the sum
    if (pi == 0).any():
        raise ValueError(
            "class_priors: expected every prior > 0 (log of the prior is used), got a prior of 0"
        )
    log_pi = np.log(pi)
    with np.errstate(over="ignore"):
        offset = t * log_pi
    if not np.isfinite(offset).all():
        raise ValueError(f"tau: tau * log(class_priors) overflows float64 (tau = {t!r})")
    return offset


def _check_offset_classes(offset: np.ndarray, shape: tuple, name: str = "logits") -> None:
    if len(shape) == 0:
        raise ValueError(f"{name}: expected shape (C,), (N, C) or (N, C, d1, ...), got a scalar")
    ax = _class_axis(len(shape))
    if shape[ax] != offset.shape[0]:
        raise ValueError(
            f"class_priors: has {offset.shape[0]} entries but {name} has {shape[ax]} classes "
            f"(axis {ax} of shape {tuple(shape)})"
        )


def _add_offset(logits, offset):
    """``logits + offset`` along the class axis, for a NumPy array or a torch tensor alike."""
    shape = [1] * logits.ndim
    shape[_class_axis(logits.ndim)] = offset.shape[0]
    return logits + offset.reshape(shape)


# ----------------------------------------------------------------------------
# logit adjustment (Menon et al. 2021)
# ----------------------------------------------------------------------------


def logit_adjusted_cross_entropy(
    logits: ArrayLike, target: ArrayLike, class_priors: ArrayLike, tau: float = 1.0, reduction: str = "mean"
) -> np.ndarray:
    r"""Logit-adjusted cross-entropy (Menon et al. 2021): cross-entropy on ``f + tau log pi``.

    .. math:: \ell(f, y) = -\log \frac{e^{f_y + \tau \log \pi_y}}{\sum_k e^{f_k + \tau \log \pi_k}}

    Adding the log-prior during training makes the head classes' logits
    "pre-paid": the network only learns the part of the score that the prior
    does not explain, which is what a *balanced* test set needs. At test time
    one predicts ``argmax_y f_y`` (the un-adjusted logits). ``tau = 0`` is
    plain cross-entropy.

    Parameters
    ----------
    logits : array_like, shape (C,), (N, C) or (N, C, d1, ...)
        Unadjusted logits ``f``.
    target : array_like of int
        Class indices, shape ``()``, ``(N,)`` or ``(N, d1, ...)`` as for
        :func:`xent_book.cross_entropy`.
    class_priors : array_like, shape (C,)
        Training class frequencies ``pi``: positive, summing to 1.
    tau : float, default 1.0
        Scale of the adjustment.
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        As :func:`xent_book.cross_entropy`.

    Returns
    -------
    numpy.ndarray
        Loss in nats, in ``logits``' dtype.

    Raises
    ------
    TypeError
        Non-numeric ``logits`` or ``class_priors``, non-integer ``target``, non-real ``tau``.
    ValueError
        Priors not positive or not summing to 1, ``len(class_priors)`` not the
        number of classes, non-finite ``tau`` (or ``tau log pi`` beyond float64),
        NaN or ``+inf`` logits, and whatever :func:`xent_book.cross_entropy`
        rejects of ``target`` (shape, range).

    See Also
    --------
    logit_adjusted_loss : The PyTorch training loss.
    posthoc_logit_adjustment

    Notes
    -----
    Chapter 8 (class imbalance).
    """
    from .losses import cross_entropy

    check_reduction(reduction)
    x = check_array(logits, "logits", nonempty=True, values="logits")
    offset = _log_prior_offset(class_priors, tau)
    _check_offset_classes(offset, x.shape)
    loss = cross_entropy(_add_offset(x.astype(np.float64), offset), target, reduction=reduction)
    with np.errstate(over="ignore"):  # a float16 loss beyond 65504 is inf, as in PyTorch
        return loss.astype(x.dtype)


def logit_adjusted_loss(class_priors: ArrayLike, tau: float = 1.0, reduction: str = "mean") -> Callable:
    """Return the PyTorch training loss ``loss(logits, target)`` of :func:`logit_adjusted_cross_entropy`.

    ``loss(logits, target) = F.cross_entropy(logits + tau * log(pi), target, reduction=reduction)``
    with the offset ``tau * log(pi)`` computed once, in float64, by the same
    function as the NumPy reference, and cast to the logits' dtype.

    Parameters
    ----------
    class_priors : array_like, shape (C,)
        Positive, summing to 1.
    tau : float, default 1.0
        Scale of the adjustment (0: plain cross-entropy).
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        As ``torch.nn.functional.cross_entropy``.

    Returns
    -------
    callable
        ``loss(logits: Tensor (N, C), target: LongTensor (N,)) -> Tensor``.

    Raises
    ------
    TypeError, ValueError
        Bad ``class_priors``, ``tau`` or ``reduction`` as in
        :func:`logit_adjusted_cross_entropy`; the returned loss refuses logits
        that are not finite floating (N, C) tensors with one class per prior,
        and targets that are not (N,) integer indices in ``[0, C)``.

    See Also
    --------
    logit_adjusted_cross_entropy

    Notes
    -----
    Chapter 8 (class imbalance).
    """
    import torch
    import torch.nn.functional as F

    check_reduction(reduction)
    offset64 = torch.from_numpy(_log_prior_offset(class_priors, tau))

    def loss(logits, target):
        check_logits_target_tensors(logits, target)
        _check_offset_classes(offset64, tuple(logits.shape))
        return F.cross_entropy(
            _add_offset(logits, offset64.to(logits.dtype)), target.long(), reduction=reduction
        )

    return loss


def posthoc_logit_adjustment(logits: ArrayLike, class_priors: ArrayLike, tau: float = 1.0) -> np.ndarray:
    r"""Post-hoc logit adjustment (Menon et al. 2021): ``f - tau log pi``.

    A model trained with plain cross-entropy estimates ``p(y | x)``, which
    contains the training prior; subtracting ``tau log pi_y`` from its logits
    and taking the argmax approximates the balanced-error Bayes classifier
    ``argmax_y p(x | y)`` (for ``tau = 1``). Nothing is retrained.

    The class axis is PyTorch's: axis 0 of a (C,) vector and axis 1 of
    anything with two or more dimensions.

    Parameters
    ----------
    logits : array_like, shape (C,), (N, C) or (N, C, d1, ...)
        Logits of a model trained on data with class priors ``class_priors``,
        classes along axis 1 (axis 0 if 1-D).
    class_priors : array_like, shape (C,)
        Positive, summing to 1.
    tau : float, default 1.0
        Scale of the adjustment (1: the balanced-error rule; 0: no change).

    Returns
    -------
    numpy.ndarray
        Adjusted logits, same shape and dtype as ``logits``.

    Raises
    ------
    TypeError
        Non-numeric ``logits`` or ``class_priors``, non-real ``tau``.
    ValueError
        Bad priors or ``tau`` (see :func:`logit_adjusted_cross_entropy`),
        empty, NaN or ``+inf`` logits, or adjusted logits beyond the range of
        ``logits``' dtype.

    Warnings
    --------
    Logits stacked over checkpoints, of shape (checkpoints, N, C) (or the
    (R, M, N, C) logits of :func:`fit_linear_remedies`), have their classes on
    the *last* axis, not on axis 1: the offset would go along N (a
    ``ValueError`` when that length differs from C, a silently wrong answer
    when it equals C). Adjust each (N, C) slice, or reshape to (-1, C) and back.

    See Also
    --------
    logit_adjusted_cross_entropy

    Notes
    -----
    Chapter 8 (class imbalance).
    """
    x = check_array(logits, "logits", nonempty=True, values="logits")
    offset = _log_prior_offset(class_priors, tau)
    _check_offset_classes(offset, x.shape)
    adjusted = _add_offset(x.astype(np.float64), -offset)
    if (adjusted > np.finfo(x.dtype).max).any():
        raise ValueError(f"logits: the adjusted logits exceed the range of {x.dtype}; pass float64 logits")
    return adjusted.astype(x.dtype)


# ----------------------------------------------------------------------------
# focal loss for training (PyTorch)
# ----------------------------------------------------------------------------


def focal_ce_loss(gamma: float = 2.0, alpha: ArrayLike | None = None, reduction: str = "mean") -> Callable:
    r"""Return a PyTorch multi-class focal loss ``loss(logits, target)`` for training.

    .. math:: \ell(f, y) = -\alpha_y \, (1 - q_y)^\gamma \log q_y, \qquad q = \operatorname{softmax}(f)

    computed from ``log_softmax``, with the factor ``(1 - q_y)^gamma`` from the
    one kernel that :func:`xent_book.focal_loss` (the NumPy reference) uses too
    (``1 - q_y = -expm1(log q_y)``, floored so the gradient stays finite for
    ``0 < gamma < 1``). ``gamma = 0`` and no ``alpha`` is plain cross-entropy.
    Matches :func:`xent_book.focal_loss` with the same arguments.

    Parameters
    ----------
    gamma : float, default 2.0
        Focusing parameter, >= 0.
    alpha : array_like of shape (C,), optional
        Per-class weights ``alpha_y`` (e.g. :func:`xent_book.imbalance.class_balanced_weights`),
        any finite reals as in :func:`xent_book.losses.focal_loss` (a negative
        one makes that class's loss a reward). Under ``'mean'`` the loss is
        divided by ``N`` (not by the sum of the weights, unlike a weighted
        cross-entropy).
    reduction : {'mean', 'sum', 'none'}, default 'mean'
        The mean over the N examples, their sum, or the (N,) losses.

    Returns
    -------
    callable
        ``loss(logits: Tensor (N, C), target: LongTensor (N,)) -> Tensor``.

    Raises
    ------
    TypeError
        ``gamma`` not a real number (a bool or a str is refused), ``alpha`` not numeric.
    ValueError
        ``gamma`` negative or not finite; ``alpha`` not 1-D or not finite; unknown
        ``reduction``. The returned loss raises ``ValueError`` for logits that are not (N, C), a ``target`` that is not (N,) integer
        indices in ``[0, C)``, or an ``alpha`` whose length is not C.

    See Also
    --------
    xent_book.focal_loss

    Notes
    -----
    Chapter 8 (class imbalance).
    """
    import torch
    import torch.nn.functional as F

    check_reduction(reduction)
    g = check_positive(gamma, "gamma", allow_zero=True)
    alpha_t = None
    if alpha is not None:
        # any sign, as focal_loss: a negative alpha_y rewards that class
        a = check_array(
            alpha,
            "alpha",
            ndim=1,
            expected="a 1-D array of per-class weights",
            nonempty=True,
            values="finite",
        ).astype(np.float64)
        alpha_t = torch.from_numpy(a)

    def loss(logits, target):
        check_logits_target_tensors(logits, target)
        if alpha_t is not None and alpha_t.shape[0] != logits.shape[1]:
            raise ValueError(
                f"alpha: has {alpha_t.shape[0]} entries but logits have {logits.shape[1]} classes"
            )
        target = target.long()
        logp_y = F.log_softmax(logits, dim=1).gather(1, target.unsqueeze(1)).squeeze(1)
        values = -_focal_modulation(logp_y, g, torch) * logp_y
        if alpha_t is not None:
            values = values * alpha_t.to(logits.dtype)[target]
        if reduction == "mean":
            return values.mean()
        if reduction == "sum":
            return values.sum()
        return values

    return loss


# ----------------------------------------------------------------------------
# many remedies trained at once
# ----------------------------------------------------------------------------

#: Upper limit on the focal power ``gamma`` of :func:`fit_linear_remedies`.
MAX_GAMMA = 100.0


def _finite_array(value, name: str, shape: tuple, default: float) -> np.ndarray:
    """``value`` as a finite float64 array of ``shape`` (:func:`check_array`); ``None`` gives ``default``."""
    if value is None:
        return np.full(shape, default)
    return check_array(value, name, shape=shape, values="finite").astype(np.float64)


#: The settings of one remedy in :func:`fit_linear_remedies`.
REMEDY_KEYS = ("sample_weight", "logit_offset", "gamma", "divide_by_weight")


def _remedy_rows(remedies, N: int, C: int):
    """The remedies as arrays: weights (M, N), offsets (M, C), gammas (M,), divide-by-weight flags (M,)."""
    if not isinstance(remedies, Mapping):
        raise TypeError(
            f"remedies: expected a mapping of name -> settings (dicts with keys from {REMEDY_KEYS}), "
            f"got {type(remedies).__name__}"
        )
    if not remedies:
        raise ValueError("remedies: expected at least one remedy, got an empty mapping")
    rows = []
    for key, spec in remedies.items():
        where = f"remedies[{key!r}]"
        if not isinstance(spec, Mapping):
            raise TypeError(f"{where}: expected a dict of settings, got {type(spec).__name__}")
        unknown = sorted(map(str, set(spec) - set(REMEDY_KEYS)))
        if unknown:
            raise ValueError(f"{where}: unknown settings {unknown}; expected keys from {REMEDY_KEYS}")
        a = _finite_array(spec.get("sample_weight"), f"{where}['sample_weight']", (N,), 1.0)
        if (a < 0).any():
            raise ValueError(f"{where}['sample_weight']: expected non-negative weights")
        offset = _finite_array(spec.get("logit_offset"), f"{where}['logit_offset']", (C,), 0.0)
        gamma = check_positive(spec.get("gamma", 0.0), f"{where}['gamma']", allow_zero=True)
        if gamma > MAX_GAMMA:
            raise ValueError(f"{where}['gamma']: expected a focal power in [0, {MAX_GAMMA:g}], got {gamma!r}")
        by_weight = check_bool(spec.get("divide_by_weight", True), f"{where}['divide_by_weight']")
        with np.errstate(over="ignore"):
            total = a.sum()
        if not np.isfinite(total) or (by_weight and total <= 0):
            raise ValueError(f"{where}['sample_weight']: expected a positive, finite sum of weights")
        rows.append((a, offset, gamma, total if by_weight else float(N)))
    a, offset, gamma, denom = zip(*rows)
    return np.stack(a), np.stack(offset), np.array(gamma), np.array(denom)


def _check_record_at(record_at, steps: int) -> set:
    if record_at is None:
        return {steps}
    try:
        record = np.asarray(record_at)
    except (ValueError, TypeError) as exc:
        raise ValueError("record_at: expected a 1-D array of integer steps") from exc
    if record.dtype.kind not in "iu":
        raise TypeError(f"record_at: expected integer steps, got dtype {record.dtype}")
    if record.ndim != 1 or record.size == 0 or int(record.min()) < 1 or int(record.max()) > steps:
        raise ValueError(f"record_at: expected a 1-D array of steps in [1, {steps}], got {record.tolist()}")
    record = record.astype(np.int64)
    if (np.diff(record) <= 0).any():
        raise ValueError(f"record_at: expected increasing steps, got {record.tolist()}")
    return set(record.tolist())


#: Who a non-finite loss or result can come from, in :func:`fit_linear_remedies`'s message.
_TOO_LARGE = (
    "X, X_eval, init_weight, init_bias, remedies, lr: {what}; expected features, starts, weights, "
    "offsets and a learning rate small enough for finite logits"
)


def fit_linear_remedies(
    X: ArrayLike,
    y: ArrayLike,
    remedies: Mapping[str, Mapping],
    init_weight: ArrayLike,
    init_bias: ArrayLike | None = None,
    steps: int = 200,
    lr: float = 0.1,
    optimizer: str = "adam",
    X_eval: ArrayLike | None = None,
    record_at: ArrayLike | None = None,
) -> dict[str, np.ndarray]:
    r"""Train one linear softmax model per remedy, all on one data set and at once.

    Model ``m`` has logits ``f_m(x) = W_m^T x + b_m`` and minimises, by full-batch
    Adam or plain gradient descent from the shared start ``(init_weight, init_bias)``,

    .. math::

        L_m = \frac{1}{D_m} \sum_{i=1}^{N} a_{mi} \, (1 - q_{m,i})^{\gamma_m} \,
        (-\log q_{m,i}), \qquad
        q_{m,i} = \operatorname{softmax}\big(f_m(x_i) + o_m\big)_{y_i},

    with ``D_m = sum_i a_mi`` (PyTorch's weighted ``'mean'``) or ``D_m = N``
    (:func:`focal_ce_loss`'s ``'mean'``). Every remedy of chapter 8 is one such
    model: plain cross-entropy (``a = 1``); class weights ``w`` (``a_i = w_{y_i}``);
    re-sampling (``a_i`` = times example ``i`` is drawn); the focal loss (``gamma``,
    with ``alpha`` as ``a_i = alpha_{y_i}`` and ``D = N``); the logit-adjusted loss
    (``o = tau log pi``). The models share their inputs, so their logits are one
    matrix product; the objective is the sum of the ``L_m`` and both optimisers update
    elementwise, so each model follows its own trajectory, as if trained alone (to
    rounding; ``tests/test_imbalance.py`` checks it against PyTorch's losses).

    Parameters
    ----------
    X : array (N, d)
        Features, shared by the models.
    y : int array (N,)
        Labels in ``[0, C)``.
    remedies : mapping of str to dict
        One model per entry, in order. Each dict may set ``"sample_weight"`` (array (N,)
        of ``a_i >= 0``, default 1), ``"logit_offset"`` (array (C,) ``o``, added to the
        logits in the loss only, default 0), ``"gamma"`` (focal power in [0, 100],
        default 0) and ``"divide_by_weight"`` (bool, default True: ``D = sum_i a_i``;
        False: ``D = N``).
    init_weight : array (d, C)
        The start ``W`` of every model (``C`` classes).
    init_bias : array (C,), optional
        The start ``b`` (default zeros).
    steps : int
        Full-batch steps, in [1, 10**5].
    lr : float
        Learning rate, in (0, 1e6].
    optimizer : {"adam", "gd"}
        ``torch.optim.Adam`` (its defaults) or plain gradient descent
        (``torch.optim.SGD`` without momentum).
    X_eval : array (K, d), optional
        Further inputs (a test set) whose logits are recorded.
    record_at : int array (R,), optional
        Increasing steps in [1, steps] after which logits are recorded (default: the last).

    Returns
    -------
    dict of str to numpy.ndarray (float64)
        ``"train_logits"`` (R, M, N, C): ``f_m(X)`` without the offset after each recorded
        step; with ``X_eval``, ``"eval_logits"`` (R, M, K, C); ``"weight"`` (M, d, C) and
        ``"bias"`` (M, C) after the last step.

    Raises
    ------
    TypeError
        ``remedies`` not a non-empty mapping of dicts; non-numeric arrays, non-integer labels
        or steps, a non-real ``lr`` or ``gamma``, a non-bool ``divide_by_weight``.
    ValueError
        Shapes that do not fit together, non-finite values, labels outside ``[0, C)``,
        an unknown setting, negative weights or a zero weight sum where ``D = sum_i a_i``,
        ``gamma`` outside [0, 100], ``steps`` or ``lr`` out of range, an unknown
        ``optimizer``, ``record_at`` not increasing within [1, steps], or a loss that
        becomes non-finite.

    See Also
    --------
    focal_ce_loss
    logit_adjusted_loss
    xent_book.ensemble.fit_stacked

    Notes
    -----
    Chapter 8 (class imbalance).
    """
    import torch

    from .train import MAX_EPOCHS, MAX_RATE, _deterministic

    W0 = check_array(init_weight, "init_weight", ndim=2, expected="a non-empty array of shape (d, C)")
    if 0 in W0.shape:
        raise ValueError(f"init_weight: expected a non-empty array of shape (d, C), got shape {W0.shape}")
    check_finite(W0, "init_weight")
    W0 = W0.astype(np.float64)
    d, C = W0.shape
    expected = f"shape (N, {d}) with N >= 1 (d from init_weight)"
    Xa = check_array(X, "X", shape=(None, d), expected=expected, nonempty=True, values="finite")
    Xa = Xa.astype(np.float64)
    N = Xa.shape[0]
    ya = check_labels(y, "y", C)
    if ya.shape != (N,):
        raise ValueError(f"y: expected {N} labels (one per row of X), got shape {ya.shape}")
    b0 = _finite_array(init_bias, "init_bias", (C,), 0.0)
    a, offset, g, denom = _remedy_rows(remedies, N, C)
    M = a.shape[0]
    steps = check_int(steps, "steps", 1, MAX_EPOCHS)
    lr = check_positive(lr, "lr")
    if lr > MAX_RATE:
        raise ValueError(f"lr: expected at most {MAX_RATE:g}, got {lr!r}")
    optimizer = check_choice(optimizer, "optimizer", ("adam", "gd"))
    record = _check_record_at(record_at, steps)
    Xe = None
    if X_eval is not None:
        Xe = check_array(X_eval, "X_eval", shape=(None, d), expected=f"shape (K, {d})", values="finite")
        Xe = torch.from_numpy(np.ascontiguousarray(Xe.astype(np.float64).T))

    # the M models side by side, classes before examples (the fast layout for a CPU softmax over
    # 10 classes): one (M C, d) weight matrix, one (M C, 1) bias, logits (M, C, N)
    XT = torch.from_numpy(np.ascontiguousarray(Xa.T))
    W = torch.from_numpy(np.tile(W0.T, (M, 1))).requires_grad_()
    b = torch.from_numpy(np.tile(b0, M)[:, None]).requires_grad_()
    a_t = torch.from_numpy(a)  # (M, N)
    off_t = torch.from_numpy(offset)[:, :, None]  # (M, C, 1)
    focal_rows = np.flatnonzero(g > 0)
    g_t = torch.from_numpy(g[focal_rows])[:, None]
    denom = torch.from_numpy(denom)
    target = torch.from_numpy(ya).expand(M, 1, N)

    def logits_of(inputs_T):
        return torch.addmm(b, W, inputs_T).view(M, C, -1)

    out = {"train_logits": [], "eval_logits": []}
    with _deterministic(0):
        opt = torch.optim.Adam([W, b], lr=lr) if optimizer == "adam" else torch.optim.SGD([W, b], lr=lr)
        for step in range(1, steps + 1):
            z = logits_of(XT) + off_t
            logq_y = z.gather(1, target)[:, 0] - torch.logsumexp(z, dim=1)  # (M, N): log softmax at y
            terms = -logq_y
            if focal_rows.size:  # (1 - q_y)^gamma, only for the models that have a focal power
                focal = _focal_modulation(logq_y[focal_rows], g_t, torch)
                terms = terms.index_put((torch.from_numpy(focal_rows),), focal * terms[focal_rows])
            loss = ((a_t * terms).sum(dim=1) / denom).sum()
            if not torch.isfinite(loss):
                raise ValueError(
                    _TOO_LARGE.format(what=f"the loss became {float(loss.detach())} at step {step}")
                )
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if step in record:
                with torch.no_grad():
                    out["train_logits"].append(logits_of(XT).transpose(1, 2).numpy())
                    if Xe is not None:
                        out["eval_logits"].append(logits_of(Xe).transpose(1, 2).numpy())
    result = {"train_logits": np.stack(out["train_logits"])}
    if Xe is not None:
        result["eval_logits"] = np.stack(out["eval_logits"])
    result["weight"] = W.detach().numpy().reshape(M, C, d).transpose(0, 2, 1).copy()
    result["bias"] = b.detach().numpy().reshape(M, C).copy()
    if not all(np.isfinite(v).all() for v in result.values()):
        raise ValueError(_TOO_LARGE.format(what="the weights or the recorded logits overflowed"))
    return result
