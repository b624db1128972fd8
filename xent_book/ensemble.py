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

from ._validation import check_choice, check_int, check_positive, check_probability_scalar

__all__ = ["StackedMLP", "stack_models", "fit_stacked", "predict_logits_stacked"]


class StackedMLP(torch.nn.Module):
    """S independent ReLU MLPs evaluated together: ``(S, N, d) -> (S, N, C)``.

    Attributes
    ----------
    weights : list of Parameter, shapes ``(S, d_in, d_out)``
    biases : list of Parameter, shapes ``(S, 1, d_out)``
    dropout : float
        Dropout probability after each hidden ReLU (training mode only).
    """

    def __init__(self, weights, biases, dropout: float = 0.0):
        super().__init__()
        self.weights = torch.nn.ParameterList([torch.nn.Parameter(w) for w in weights])
        self.biases = torch.nn.ParameterList([torch.nn.Parameter(b) for b in biases])
        self.dropout = float(dropout)

    @property
    def n_seeds(self) -> int:
        return int(self.weights[0].shape[0])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() == 2:  # shared data: the same (N, d) for every seed
            x = x.expand(self.n_seeds, *x.shape)
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases, strict=True)):
            x = torch.baddbmm(b, x, w)
            if i < last:
                x = torch.relu(x)
                if self.dropout > 0:
                    x = torch.nn.functional.dropout(x, self.dropout, self.training)
        return x

    def weight_norm(self, p: int) -> torch.Tensor:
        """Per-seed sum over weight matrices of ``|w|^p`` (biases excluded), shape ``(S,)``."""
        return sum(w.abs().pow(p).sum(dim=(1, 2)) for w in self.weights)


def stack_models(models: Sequence, dropout: float = 0.0):
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
        float32 like the models.

    Raises
    ------
    ValueError
        If ``models`` is empty, the models' layer shapes differ, or ``dropout`` is outside [0, 1).
    """
    models = list(models)
    if not models:
        raise ValueError("models: expected at least one model, got none")
    dropout = check_probability_scalar(dropout, "dropout", high_open=True)
    layers = [[m for m in model.modules() if isinstance(m, torch.nn.Linear)] for model in models]
    shapes = [[tuple(lin.weight.shape) for lin in ls] for ls in layers]
    if any(s != shapes[0] for s in shapes) or not shapes[0]:
        raise ValueError(f"models: expected models with the same Linear layer shapes, got {shapes}")
    with torch.no_grad():
        weights = [torch.stack([ls[i].weight.T for ls in layers]).clone() for i in range(len(layers[0]))]
        biases = [torch.stack([ls[i].bias[None, :] for ls in layers]).clone() for i in range(len(layers[0]))]
    return StackedMLP(weights, biases, dropout=dropout)


def _as_stacked_data(X, y, n_seeds: int, name_X: str, name_y: str):
    X = np.asarray(X, dtype=np.float32)
    y = np.asarray(y)
    if X.ndim == 2:
        X = np.broadcast_to(X, (n_seeds, *X.shape))
    if y.ndim == 1:
        y = np.broadcast_to(y, (n_seeds, *y.shape))
    if X.ndim != 3 or X.shape[0] != n_seeds:
        raise ValueError(f"{name_X}: expected shape (N, d) or ({n_seeds}, N, d), got {X.shape}")
    if y.shape != X.shape[:2] or y.dtype.kind not in "iu":
        raise ValueError(f"{name_y}: expected integer class indices of shape {X.shape[:2]}, got {y.dtype} {y.shape}")
    return torch.from_numpy(np.ascontiguousarray(X)), torch.from_numpy(np.ascontiguousarray(y, dtype=np.int64))


def fit_stacked(
    model,
    X,
    y,
    loss_fn: Callable | None = None,
    epochs: int = 200,
    lr: float = 1e-2,
    batch_size: int | None = None,
    weight_decay: float = 0.0,
    l1: float = 0.0,
    augment: Callable | None = None,
    seed: int = 0,
    X_val=None,
    y_val=None,
    callback: Callable | None = None,
    optimizer: str = "adam",
) -> dict[str, np.ndarray]:
    """Train every seed of ``model`` in place; return per-epoch metrics per seed.

    The objective summed over seeds is

    .. math:: \\sum_s \\Big[ \\mathrm{loss\\_fn}(z_s, y_s) + \\lambda_1 \\sum |W_s| \\Big],

    with the L2 penalty ``weight_decay`` applied by the optimiser (coupled, as in
    ``torch.optim.Adam``), so each seed's parameters see only their own terms. Both
    optimisers update elementwise, so seeds stay independent.

    Parameters
    ----------
    model : StackedMLP
        From :func:`stack_models`; trained in place.
    X : array (N, d) shared by all seeds, or (S, N, d) one draw per seed
    y : int array (N,) or (S, N)
    loss_fn : callable, optional
        ``loss_fn(logits (N, C), target (N,)) -> scalar tensor`` applied per seed;
        default ``torch.nn.functional.cross_entropy`` (mean, nats).
    epochs : int
    lr : float
        Learning rate (> 0).
    batch_size : int or None
        Mini-batch size (each seed its own random order, from ``seed``); ``None``: full batch.
    weight_decay : float
        L2 coefficient (>= 0).
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
    optimizer : {"adam", "sgd"}
        Adam, or SGD with momentum 0.9 (as :func:`xent_book.train.fit`).

    Returns
    -------
    dict of str to ndarray
        ``"train_loss"`` (objective without the penalties, as seen while training)
        and, with validation data, ``"val_nll"`` and ``"val_acc"``; each of shape ``(epochs, S)``.

    Raises
    ------
    ValueError
        Bad shapes, non-positive ``epochs``/``lr``/``batch_size``, negative penalties.
    """
    from .train import _deterministic

    f = torch.nn.functional
    loss_fn = f.cross_entropy if loss_fn is None else loss_fn
    S = model.n_seeds
    epochs = check_int(epochs, "epochs", 1)
    lr = check_positive(lr, "lr")
    weight_decay = check_positive(weight_decay, "weight_decay", allow_zero=True)
    l1 = check_positive(l1, "l1", allow_zero=True)
    optimizer = check_choice(optimizer, "optimizer", ("adam", "sgd"))
    Xt, yt = _as_stacked_data(X, y, S, "X", "y")
    N = Xt.shape[1]
    if batch_size is not None:
        batch_size = check_int(batch_size, "batch_size", 1)
    has_val = X_val is not None
    if has_val:
        Xv, yv = _as_stacked_data(X_val, y_val, S, "X_val", "y_val")
    out = {"train_loss": np.empty((epochs, S))}
    if has_val:
        out["val_nll"] = np.empty((epochs, S))
        out["val_acc"] = np.empty((epochs, S))
    seeds_idx = torch.arange(S)[:, None]
    with _deterministic(seed):
        gen = torch.Generator().manual_seed(seed)
        if optimizer == "adam":
            opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
        else:
            opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=weight_decay)
        for epoch in range(epochs):
            model.train()
            order = torch.argsort(torch.rand(S, N, generator=gen), dim=1) if batch_size else None
            step = batch_size or N
            seen = torch.zeros(S)
            for start in range(0, N, step):
                if order is None:
                    xb, yb = Xt, yt
                else:
                    idx = order[:, start : start + step]
                    xb, yb = Xt[seeds_idx, idx], yt[seeds_idx, idx]
                if augment is not None:
                    xb = augment(xb, gen)
                logits = model(xb)
                per_seed = torch.stack([loss_fn(logits[s], yb[s]) for s in range(S)])
                objective = per_seed.sum()
                if l1 > 0:
                    objective = objective + l1 * model.weight_norm(1).sum()
                opt.zero_grad()
                objective.backward()
                opt.step()
                seen += per_seed.detach() * yb.shape[1]
            out["train_loss"][epoch] = (seen / N).numpy()
            if has_val:
                model.eval()
                with torch.no_grad():
                    zv = model(Xv)
                    nll = f.cross_entropy(zv.transpose(1, 2), yv, reduction="none").mean(dim=1)
                    out["val_nll"][epoch] = nll.numpy()
                    out["val_acc"][epoch] = (zv.argmax(-1) == yv).float().mean(dim=1).numpy()
            if callback is not None:
                model.eval()
                with torch.no_grad():
                    callback(epoch + 1, model, {k: v[epoch] for k, v in out.items()})
    return out


def predict_logits_stacked(model, X) -> np.ndarray:
    """Logits of every seed, in eval mode: float64 array of shape ``(S, N, C)``.

    Parameters
    ----------
    model : StackedMLP
    X : array (N, d) shared, or (S, N, d) one set per seed

    Raises
    ------
    ValueError
        If ``X`` has neither shape.
    """
    S = model.n_seeds
    X = np.asarray(X, dtype=np.float32)
    if not (X.ndim == 2 or (X.ndim == 3 and X.shape[0] == S)):
        raise ValueError(f"X: expected shape (N, d) or ({S}, N, d), got {X.shape}")
    was_training = model.training
    model.eval()
    with torch.no_grad():
        z = model(torch.from_numpy(np.ascontiguousarray(X))).double().numpy()
    model.train(was_training)
    return z
