"""Many seeds at once: S independent small networks trained together.

A claim about an experiment needs several seeds (the book uses at least 5),
and a Python loop over seeds multiplies a chapter's run time. This module
stacks S independent models along a leading *seed axis* and trains them with
batched matrix products, so 5 or 20 seeds cost little more than one:

* :func:`stack_models` -- S models from :func:`xent_book.train.make_model`
  (each initialised from its own seed, the one home of initialisation) become
  one :class:`StackedMLP` with weights of shape ``(S, d_in, d_out)``;
* :func:`fit_stacked` -- full-batch or mini-batch training of all S at once;
  the loss is the *sum* over seeds of each seed's loss, so every seed's
  parameters receive exactly their own gradient, and Adam's update is
  elementwise: seed ``s`` follows the same trajectory as if trained alone (to
  floating-point rounding; ``tests/test_ensemble.py`` checks it);
* :func:`predict_logits_stacked` -- logits ``(S, N, C)`` as float64 NumPy.

Data may be shared by all seeds, shape ``(N, d)``, or drawn per seed,
``(S, N, d)`` with labels ``(S, N)``: vary the data draw *and* the
initialisation across seeds.

See Also
--------
xent_book.train : the one-model loop (any loss, History, resampling).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
from numpy.typing import ArrayLike

from ._validation import (
    as_float_array,
    check_choice,
    check_distribution,
    check_int,
    check_labels,
    check_positive,
    check_probability_scalar,
    check_seed,
)

__all__ = ["StackedMLP", "stack_models", "fit_stacked", "predict_logits_stacked"]


class StackedMLP(torch.nn.Module):
    """S independent ReLU MLPs evaluated together: ``(S, N, d) -> (S, N, C)``.

    Build it with :func:`stack_models`.

    Parameters
    ----------
    weights : sequence of torch.Tensor
        One float tensor per layer, shape ``(S, d_in, d_out)``, chained (each layer's ``d_out``
        is the next one's ``d_in``).
    biases : sequence of torch.Tensor
        One per layer, shape ``(S, 1, d_out)``.
    dropout : float, default 0.0
        Dropout probability after each hidden ReLU (training mode only), in [0, 1).

    Attributes
    ----------
    weights : list of Parameter, shapes ``(S, d_in, d_out)``
        The layers' weights, one slice per seed.
    biases : list of Parameter, shapes ``(S, 1, d_out)``
        The layers' biases, one slice per seed.
    dropout : float
        Dropout probability after each hidden ReLU (training mode only).

    Raises
    ------
    TypeError, ValueError
        ``weights``/``biases`` that are not float tensors of matching shapes
        ``(S, d_in, d_out)`` / ``(S, 1, d_out)``; ``dropout`` outside [0, 1).
    """

    def __init__(
        self, weights: Sequence[torch.Tensor], biases: Sequence[torch.Tensor], dropout: float = 0.0
    ) -> None:
        super().__init__()
        weights, biases = _check_layers(weights, "weights", 3), _check_layers(biases, "biases", 3)
        if (
            len(weights) != len(biases)
            or any(b.shape != (w.shape[0], 1, w.shape[2]) for w, b in zip(weights, biases, strict=False))
            or any(a.shape[2] != b.shape[1] or a.shape[0] != b.shape[0] for a, b in zip(weights, weights[1:]))
        ):
            raise ValueError(
                "weights, biases: expected chained shapes (S, d_in, d_out) and (S, 1, d_out), got "
                f"{[tuple(w.shape) for w in weights]} and {[tuple(b.shape) for b in biases]}"
            )
        self.weights = torch.nn.ParameterList([torch.nn.Parameter(w) for w in weights])
        self.biases = torch.nn.ParameterList([torch.nn.Parameter(b) for b in biases])
        self.dropout = check_probability_scalar(dropout, "dropout", high_open=True)

    @property
    def n_seeds(self) -> int:
        """Number of stacked models ``S``."""
        return int(self.weights[0].shape[0])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Compute the logits of every stacked model.

        Parameters
        ----------
        x : torch.Tensor
            Float input of the weights' dtype, ``(N, d)`` (shared by all seeds) or ``(S, N, d)``.

        Returns
        -------
        torch.Tensor
            The logits, shape ``(S, N, C)``.

        Raises
        ------
        TypeError, ValueError
            ``x`` is not a finite tensor of the weights' dtype and of shape ``(N, d)`` or ``(S, N, d)``;
            or the logits overflow (ValueError naming ``x``).
        """
        d = self.weights[0].shape[1]
        dtype = self.weights[0].dtype
        if not isinstance(x, torch.Tensor) or x.dtype != dtype:
            raise TypeError(
                f"x: expected a torch.Tensor of the weights' dtype {dtype}, "
                f"got {getattr(x, 'dtype', type(x).__name__)}"
            )
        if x.dim() not in (2, 3) or x.shape[-1] != d or (x.dim() == 3 and x.shape[0] != self.n_seeds):
            raise ValueError(f"x: expected shape (N, {d}) or ({self.n_seeds}, N, {d}), got {tuple(x.shape)}")
        if not bool(torch.isfinite(x).all()):
            raise ValueError("x: expected finite values (found NaN or inf)")
        return self._logits(x)

    def _logits(self, x: torch.Tensor) -> torch.Tensor:
        """:meth:`forward` without the input checks, for input this module has checked already."""
        if x.dim() == 2:  # shared data: the same (N, d) for every seed
            x = x.expand(self.n_seeds, *x.shape)
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            x = torch.baddbmm(b, x, w)
            if i < last:
                x = torch.relu(x)
                if self.dropout > 0:
                    x = torch.nn.functional.dropout(x, self.dropout, self.training)
        if not bool(torch.isfinite(x).all()):  # finite input, weights or both too large: no silent inf/NaN
            raise ValueError(
                "x: the logits overflowed (inf or NaN) for this input and these weights; "
                "expected inputs and weights small enough for finite logits (standardise the features, "
                "lower the learning rate)"
            )
        return x

    def weight_norm(self, p: float) -> torch.Tensor:
        """Per-seed sum over weight matrices of ``|w|^p`` (biases excluded).

        Parameters
        ----------
        p : float
            The power, in (0, 16].

        Returns
        -------
        torch.Tensor
            Shape ``(S,)``: one sum per stacked model (differentiable, for a penalty).

        Raises
        ------
        TypeError, ValueError
            ``p`` is not a real number in (0, 16] (``|w|^p`` of a larger power underflows or overflows).
        """
        p = check_positive(p, "p")
        if p > MAX_POWER:
            raise ValueError(f"p: expected a power in (0, {MAX_POWER}], got {p!r}")
        return sum(w.abs().pow(p).sum(dim=(1, 2)) for w in self.weights)


#: The largest power :meth:`StackedMLP.weight_norm` takes.
MAX_POWER = 16


def _check_layers(tensors, name: str, ndim: int) -> list:
    if isinstance(tensors, torch.Tensor) or not isinstance(tensors, Sequence | torch.nn.ParameterList):
        raise TypeError(f"{name}: expected a sequence of tensors, got {type(tensors).__name__}")
    tensors = list(tensors)
    if not tensors or not all(
        isinstance(t, torch.Tensor) and t.is_floating_point() and t.dim() == ndim for t in tensors
    ):
        raise ValueError(f"{name}: expected at least one floating-point tensor of {ndim} dimensions")
    return tensors


def _check_stacked(model) -> StackedMLP:
    if not isinstance(model, StackedMLP):
        raise TypeError(f"model: expected a StackedMLP (from stack_models), got {type(model).__name__}")
    return model


def stack_models(models: Sequence[torch.nn.Module], dropout: float = 0.0) -> StackedMLP:
    """Stack S identically shaped models from :func:`xent_book.train.make_model`.

    Parameters
    ----------
    models : sequence of torch.nn.Module
        Each a ``Sequential`` of ``Linear`` (and ``ReLU``/``Dropout``) layers of
        the same widths, e.g. ``[make_model(d, C, hidden=(64,), seed=s) for s in seeds]``.
    dropout : float
        Dropout probability after each hidden ReLU, in [0, 1).

    Returns
    -------
    StackedMLP
        Weights ``(S, d_in, d_out)`` (each Linear's weight transposed), biases ``(S, 1, d_out)``,
        float64 like the models of :func:`xent_book.train.make_model`.

    Raises
    ------
    TypeError
        ``models`` is not a sequence of ``torch.nn.Module``.
    ValueError
        If ``models`` is empty, the models' layer shapes differ, or ``dropout`` is outside [0, 1).
    """
    if isinstance(models, str | bytes | torch.nn.Module) or not isinstance(models, Sequence):
        raise TypeError(f"models: expected a sequence of torch.nn.Module, got {type(models).__name__}")
    models = list(models)
    if not models:
        raise ValueError("models: expected at least one model, got none")
    if not all(isinstance(m, torch.nn.Module) for m in models):
        raise TypeError(
            f"models: expected torch.nn.Module items, got {sorted({type(m).__name__ for m in models})}"
        )
    dropout = check_probability_scalar(dropout, "dropout", high_open=True)
    layers = [[m for m in model.modules() if isinstance(m, torch.nn.Linear)] for model in models]
    shapes = [[tuple(lin.weight.shape) for lin in ls] for ls in layers]
    if any(s != shapes[0] for s in shapes) or not shapes[0]:
        raise ValueError(f"models: expected models with the same Linear layer shapes, got {shapes}")
    with torch.no_grad():
        weights = [torch.stack([ls[i].weight.T for ls in layers]).clone() for i in range(len(layers[0]))]
        biases = [torch.stack([ls[i].bias[None, :] for ls in layers]).clone() for i in range(len(layers[0]))]
    return StackedMLP(weights, biases, dropout=dropout)


def _as_stacked_data(model: StackedMLP, X, y, name_X: str, name_y: str, soft_ok: bool = False):
    """Features (N, d) or (S, N, d) and labels (N,) or (S, N), checked by train's one home for data.

    With ``soft_ok``, ``y`` may instead hold target distributions, float (N, C) or (S, N, C), as
    ``torch.nn.functional.cross_entropy`` takes them (returned as a float tensor of the weights' dtype).
    """
    from .train import _features

    n_seeds, d = model.n_seeds, model.weights[0].shape[1]
    num_classes = model.weights[-1].shape[2]
    Xa = as_float_array(X, name_X)
    if Xa.ndim == 3 and Xa.shape[0] == n_seeds:
        Xt = _features(Xa.reshape(-1, Xa.shape[-1]), name_X, model.weights[0].dtype).reshape(Xa.shape)
    elif Xa.ndim == 2:
        Xt = _features(Xa, name_X, model.weights[0].dtype).expand(n_seeds, *Xa.shape)
    else:
        raise ValueError(f"{name_X}: expected shape (N, {d}) or ({n_seeds}, N, {d}), got {Xa.shape}")
    if Xt.shape[-1] != d:
        raise ValueError(f"{name_X}: expected {d} features (the models' input width), got shape {Xa.shape}")
    soft = soft_ok and _is_soft(y, Xa.ndim)
    if soft:  # target distributions, one row per example
        ya = as_float_array(y, name_y)
        check_distribution(ya, name_y)
        if ya.ndim == 2:
            ya = np.broadcast_to(ya, (n_seeds, *ya.shape))
        if ya.shape != (*Xt.shape[:2], num_classes):
            raise ValueError(
                f"{name_y}: expected target distributions of shape {(*Xt.shape[1:2], num_classes)} or "
                f"{(*Xt.shape[:2], num_classes)} (one per row of {name_X}), got {ya.shape}"
            )
        return Xt.contiguous(), torch.from_numpy(np.array(ya, order="C")).to(model.weights[0].dtype)
    ya = check_labels(y, name_y, num_classes, ndim=None)
    if ya.ndim == 1:
        ya = np.broadcast_to(ya, (n_seeds, *ya.shape))
    if ya.shape != tuple(Xt.shape[:2]):
        raise ValueError(
            f"{name_y}: expected labels of shape {tuple(Xt.shape[1:2])} or {tuple(Xt.shape[:2])} "
            f"(one per row of {name_X}), got {ya.shape}"
        )
    return Xt.contiguous(), torch.from_numpy(np.array(ya, dtype=np.int64, order="C"))


def _is_soft(y, x_ndim: int) -> bool:
    """Floating targets with one more axis than labels would have: distributions over the classes."""
    kind = getattr(getattr(y, "dtype", None), "kind", None)
    return kind == "f" and getattr(y, "ndim", 0) >= x_ndim


def _loss_per_model(loss_fn, n_models: int) -> list | None:
    """None (the default loss), or one callable per stacked model."""
    if loss_fn is None or loss_fn is torch.nn.functional.cross_entropy:
        return None
    if callable(loss_fn):
        return [loss_fn] * n_models
    if isinstance(loss_fn, str | bytes) or not isinstance(loss_fn, Sequence):
        raise TypeError(
            f"loss_fn: expected a callable loss_fn(logits, target) or a sequence of them, one per model, "
            f"got {type(loss_fn).__name__}"
        )
    if len(loss_fn) != n_models:
        raise ValueError(f"loss_fn: expected one loss per model ({n_models}), got {len(loss_fn)}")
    for i, fn in enumerate(loss_fn):
        if not callable(fn):
            raise TypeError(
                f"loss_fn[{i}]: expected a callable loss_fn(logits, target), got {type(fn).__name__}"
            )
    return list(loss_fn)


def _check_callable(value, name: str, what: str):
    if value is not None and not callable(value):
        raise TypeError(f"{name}: expected a callable {what}, got {type(value).__name__}")
    return value


def _per_model(value, name: str, n_models: int, maximum: float):
    """A scalar in [0, maximum] (returned as float), or one such value per stacked model (float64 (S,))."""
    array_like = isinstance(value, Sequence | np.ndarray | torch.Tensor) and not isinstance(
        value, str | bytes
    )
    if not array_like or (isinstance(value, np.ndarray | torch.Tensor) and value.ndim == 0):
        v = check_positive(value, name, allow_zero=True)
        if v > maximum:
            raise ValueError(f"{name}: expected at most {maximum:g}, got {value!r}")
        return v
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    arr = as_float_array(value, name)
    if arr.shape != (n_models,):
        raise ValueError(
            f"{name}: expected a scalar or one value per model, shape ({n_models},), got {arr.shape}"
        )
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0) or np.any(arr > maximum):
        raise ValueError(f"{name}: expected finite values in [0, {maximum:g}], got {arr.tolist()}")
    return arr


def fit_stacked(
    model: StackedMLP,
    X: ArrayLike,
    y: ArrayLike,
    loss_fn: Callable | Sequence[Callable] | None = None,
    epochs: int = 200,
    lr: float = 1e-2,
    batch_size: int | None = None,
    weight_decay: float | ArrayLike = 0.0,
    l1: float = 0.0,
    augment: Callable | None = None,
    seed: int = 0,
    X_val: ArrayLike | None = None,
    y_val: ArrayLike | None = None,
    callback: Callable | None = None,
    optimizer: str = "adam",
    label_smoothing: float | ArrayLike = 0.0,
) -> dict[str, np.ndarray]:
    """Train every seed of ``model`` in place; return per-epoch metrics per seed.

    The objective summed over seeds is

    .. math:: \\sum_s \\Big[ \\mathrm{loss\\_fn}(z_s, y_s) + \\lambda_1 \\sum |W_s| \\Big],

    with the L2 penalty ``weight_decay`` applied by the optimiser (coupled, as in
    ``torch.optim.Adam``), so each seed's parameters see only their own terms. Every
    optimiser updates elementwise, so seeds stay independent. With
    ``optimizer="adamw"`` the decay is *decoupled* instead (``torch.optim.AdamW``,
    Loshchilov and Hutter): each step first shrinks every parameter by the factor
    ``1 - lr * weight_decay``, then takes Adam's step on the gradient of the loss
    alone, so the decay is not divided by Adam's running gradient scale.

    ``weight_decay`` and ``label_smoothing`` also take one value per stacked model
    (an array of shape ``(S,)``), so that one call trains a sweep: stack the models
    of every (setting, seed) pair and give each its own value. A per-model
    ``weight_decay`` adds ``0.5 * wd_s * sum(theta_s ** 2)`` (weights and biases) to
    model ``s``'s objective, whose gradient ``wd_s * theta_s`` is the optimiser's
    coupled decay (with ``"adamw"``: model ``s``'s parameters are multiplied by
    ``1 - lr * wd_s`` before each step, AdamW's decoupled decay); a scalar keeps the
    optimiser's own ``weight_decay``.

    Parameters
    ----------
    model : StackedMLP
        From :func:`stack_models`; trained in place.
    X : array (N, d) shared by all seeds, or (S, N, d) one draw per seed
        The training inputs.
    y : int array (N,) or (S, N), or float array (N, C) or (S, N, C)
        Class labels, or target distributions (soft targets: each row in [0, 1], summing
        to 1), for instance a teacher's probabilities in distillation; the default loss is
        then the cross-entropy from the target to the model, ``-sum_k p_k log q_k``.
    loss_fn : callable or sequence of S callables, optional
        ``loss_fn(logits (N, C), target (N,) or (N, C)) -> scalar tensor`` applied per seed,
        one for all models or one per stacked model (a sweep over losses in one call);
        default ``torch.nn.functional.cross_entropy`` (mean, nats).
    epochs : int
        Passes over the training data (full-batch: steps).
    lr : float
        Learning rate (> 0).
    batch_size : int or None
        Mini-batch size (each seed its own random order, from ``seed``); ``None``: full batch.
    weight_decay : float or array (S,)
        L2 coefficient (>= 0), one for all models or one per model.
    l1 : float
        L1 coefficient on the weights (>= 0; biases excluded).
    augment : callable, optional
        ``augment(x (S, B, d), generator) -> x`` applied to every training batch
        (data augmentation), e.g. Gaussian jitter drawn from ``generator``.
    seed : int
        Seeds batch orders, dropout masks and augmentation.
    X_val, y_val : arrays, optional
        Evaluated after every epoch (eval mode): ``val_nll`` (mean CE, nats) and ``val_acc``.
    callback : callable, optional
        ``callback(epoch, model, metrics)`` after every epoch (1-based ``epoch``), in eval
        mode under ``torch.no_grad()``; ``metrics`` maps each recorded key to this epoch's
        ``(S,)`` values. Use it for early stopping: keep each seed's predictions at its
        best validation epoch.
    optimizer : {"adam", "sgd", "adamw"}
        Adam, or SGD with momentum 0.9 (as :func:`xent_book.train.fit`), or AdamW
        (``torch.optim.AdamW``: Adam with decoupled weight decay).
    label_smoothing : float or array (S,)
        In [0, 1], one for all models or one per model: model ``s`` is trained on
        ``torch.nn.functional.cross_entropy(..., label_smoothing=eps_s)``. Only with the
        default ``loss_fn`` (a custom loss smooths its own targets).

    Returns
    -------
    dict of str to ndarray
        ``"train_loss"`` (objective without the penalties, as seen while training: the
        smoothed loss where ``label_smoothing`` is set)
        and, with validation data, ``"val_nll"`` and ``"val_acc"``; each of shape ``(epochs, S)``.

    Raises
    ------
    TypeError
        ``model`` is not a :class:`StackedMLP`; ``loss_fn`` (or one of its items), ``augment`` or
        ``callback`` is not callable; a scalar of the wrong type; non-integer labels.
    ValueError
        Bad shapes, non-finite features, labels outside [0, C), soft targets that are not
        distributions, a ``loss_fn`` sequence not of length S, ``epochs`` not in [1, 10**5],
        ``lr`` not in (0, 1e6], ``batch_size`` < 1, penalties negative or above 1e6, a bad ``seed``,
        an unknown ``optimizer``, only one of ``X_val``/``y_val``, ``label_smoothing`` outside
        [0, 1] or nonzero with a custom ``loss_fn``, or a per-model array not of shape ``(S,)``.
    """
    from .train import MAX_EPOCHS, MAX_RATE, _deterministic

    f = torch.nn.functional
    model = _check_stacked(model)
    S = model.n_seeds
    losses = _loss_per_model(loss_fn, S)  # None: the default cross-entropy
    _check_callable(augment, "augment", "augment(x, generator)")
    _check_callable(callback, "callback", "callback(epoch, model, metrics)")
    epochs = check_int(epochs, "epochs", 1, MAX_EPOCHS)
    lr = check_positive(lr, "lr")
    weight_decay = _per_model(weight_decay, "weight_decay", S, MAX_RATE)
    l1 = check_positive(l1, "l1", allow_zero=True)
    for name, value in (("lr", lr), ("l1", l1)):
        if value > MAX_RATE:
            raise ValueError(f"{name}: expected at most {MAX_RATE:g}, got {value!r}")
    label_smoothing = _per_model(label_smoothing, "label_smoothing", S, 1.0)
    smoothing = None  # the default loss without smoothing: plain cross-entropy, all models at once
    if isinstance(label_smoothing, np.ndarray) or label_smoothing > 0:
        if losses is not None:
            raise ValueError("label_smoothing: applies to the default loss only (got a custom loss_fn)")
        smoothing = torch.from_numpy(np.broadcast_to(label_smoothing, (S,)).copy()).to(model.weights[0].dtype)
    optimizer = check_choice(optimizer, "optimizer", ("adam", "sgd", "adamw"))
    decay = None  # a scalar weight_decay stays the optimiser's
    shrink = None  # per-model decoupled decay (AdamW): the factors 1 - lr * wd_s
    if isinstance(weight_decay, np.ndarray):
        if optimizer == "adamw":
            shrink = torch.from_numpy(1.0 - lr * weight_decay).to(model.weights[0].dtype)[:, None, None]
        else:
            decay = torch.from_numpy(weight_decay).to(model.weights[0].dtype)
        weight_decay = 0.0
    seed = check_seed(seed)
    Xt, yt = _as_stacked_data(model, X, y, "X", "y", soft_ok=True)
    N = Xt.shape[1]
    if batch_size is not None:
        batch_size = check_int(batch_size, "batch_size", 1)
    if (X_val is None) != (y_val is None):
        raise ValueError("X_val, y_val: pass both or neither")
    has_val = X_val is not None
    if has_val:
        Xv, yv = _as_stacked_data(model, X_val, y_val, "X_val", "y_val")
    out = {"train_loss": np.empty((epochs, S))}
    if has_val:
        out["val_nll"] = np.empty((epochs, S))
        out["val_acc"] = np.empty((epochs, S))
    seeds_idx = torch.arange(S)[:, None]
    with _deterministic(seed):
        gen = torch.Generator().manual_seed(seed)
        if optimizer == "adam":
            opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
        elif optimizer == "adamw":
            opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
        else:
            opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=weight_decay)
        for epoch in range(epochs):
            model.train()
            order = torch.argsort(torch.rand(S, N, generator=gen), dim=1) if batch_size else None
            step = batch_size or N
            seen = torch.zeros(S, dtype=torch.float64)
            for start in range(0, N, step):
                if order is None:
                    xb, yb = Xt, yt
                else:
                    idx = order[:, start : start + step]
                    xb, yb = Xt[seeds_idx, idx], yt[seeds_idx, idx]
                if augment is not None:
                    xb = augment(xb, gen)
                logits = model(xb) if augment is not None else model._logits(xb)  # xb: checked data
                if losses is not None:  # a custom loss, model by model
                    per_seed = torch.stack([losses[s](logits[s], yb[s]) for s in range(S)])
                else:  # F.cross_entropy (mean) of every model at once: the same gradients, bit for bit
                    log_q = torch.log_softmax(logits, dim=-1)
                    if yb.is_floating_point():  # soft targets p
                        per_seed = -(yb * log_q).sum(dim=-1).mean(dim=1)
                    else:
                        per_seed = -log_q.gather(-1, yb[..., None])[..., 0].mean(dim=1)
                    if smoothing is not None:  # PyTorch's smoothed loss, (1 - eps) H(p, q) + eps H(u, q)
                        per_seed = (1 - smoothing) * per_seed + smoothing * -log_q.mean(dim=-1).mean(dim=1)
                objective = per_seed.sum()
                if l1 > 0:
                    objective = objective + l1 * model.weight_norm(1).sum()
                if decay is not None:  # per-model coupled L2: gradient wd_s * theta_s
                    squares = sum(p.pow(2).sum(dim=(1, 2)) for p in model.parameters())
                    objective = objective + 0.5 * (decay * squares).sum()
                opt.zero_grad()
                objective.backward()
                if shrink is not None:  # AdamW's decoupled decay, one factor per model
                    with torch.no_grad():
                        for p in model.parameters():
                            p.mul_(shrink)
                opt.step()
                seen += per_seed.detach() * yb.shape[1]
            out["train_loss"][epoch] = (seen / N).numpy()
            if has_val:
                model.eval()
                with torch.no_grad():
                    zv = model._logits(Xv)
                    nll = f.cross_entropy(zv.transpose(1, 2), yv, reduction="none").mean(dim=1)
                    out["val_nll"][epoch] = nll.numpy()
                    out["val_acc"][epoch] = (zv.argmax(-1) == yv).double().mean(dim=1).numpy()
            if callback is not None:
                model.eval()
                with torch.no_grad():
                    callback(epoch + 1, model, {k: v[epoch] for k, v in out.items()})
    return out


def predict_logits_stacked(model: StackedMLP, X: ArrayLike) -> np.ndarray:
    """Compute the logits of every seed, in eval mode.

    Parameters
    ----------
    model : StackedMLP
        The stacked models (for instance trained by :func:`fit_stacked`).
    X : array (N, d) shared, or (S, N, d) one set per seed
        The inputs.

    Returns
    -------
    numpy.ndarray
        Float64 logits of shape ``(S, N, C)``.

    Raises
    ------
    TypeError
        ``model`` is not a :class:`StackedMLP`, or ``X`` is not an array of real numbers.
    ValueError
        If ``X`` has neither shape, is empty or holds non-finite values.
    """
    from .train import _features

    model = _check_stacked(model)
    S, d = model.n_seeds, model.weights[0].shape[1]
    Xa = as_float_array(X, "X")
    if not ((Xa.ndim == 2 or (Xa.ndim == 3 and Xa.shape[0] == S)) and Xa.shape[-1] == d):
        raise ValueError(f"X: expected shape (N, {d}) or ({S}, N, {d}), got {Xa.shape}")
    Xt = _features(Xa.reshape(-1, d), "X", model.weights[0].dtype).reshape(Xa.shape)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        z = model._logits(Xt).double().numpy()  # Xt: finite features of the weights' dtype (_features)
    model.train(was_training)
    return z
