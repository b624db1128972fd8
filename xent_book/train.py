"""A small, deterministic PyTorch training loop for the chapters' experiments.

The chapters compare *losses*, so the loop takes any callable
``loss_fn(logits, target) -> scalar tensor`` and keeps everything else fixed:

* :func:`make_model` -- softmax regression (``hidden=()``) or a small MLP,
  initialised from its own ``seed``;
* :func:`fit` -- mini-batch training with a fixed batch order drawn from a
  seeded ``torch.Generator``, on one thread, recording per-epoch metrics in a
  :class:`History`;
* :func:`predict_logits` -- the model's logits as a float64 NumPy array, for
  the NumPy functions of :mod:`xent_book` (``calibration``, ``losses``).

Same arguments, same numbers: every run of a notebook gives the same weights
bit for bit (CPU, one thread, deterministic algorithms), which is what the
stored outputs checked by nbval need. Global random state is left as it was
(``torch.random.fork_rng``).

Progress bars: ``fit(..., progress=True)`` shows a ``tqdm.auto`` bar (a widget
in Jupyter, text on stderr elsewhere) that disappears when training ends
(``leave=False``). A widget's id changes on every run, so chapters checked by
nbval call ``fit(..., progress=False)``.

See Also: chapters 8-12 (every chapter that trains a model).
"""

from __future__ import annotations

import numbers
from contextlib import contextmanager
from typing import Callable, Sequence

import numpy as np

from ._validation import check_int as _check_int

__all__ = ["History", "make_model", "fit", "predict_logits", "evaluate"]


class History(dict):
    """Per-epoch metrics: a dict of equally long lists, also readable as attributes.

    Keys always present: ``"epoch"`` (1, 2, ...), ``"train_loss"`` (mean of
    ``loss_fn`` over the epoch's mini-batches, weighted by batch size, as seen
    while training), ``"train_acc"`` (fraction of the epoch's examples whose
    argmax logit was the label, as seen while training). With validation data:
    ``"val_loss"`` (``loss_fn`` on the whole validation set, in eval mode),
    ``"val_nll"`` (mean cross-entropy in nats, whatever ``loss_fn`` is) and
    ``"val_acc"``. Each key of the dict returned by ``eval_fn`` adds a list.
    """

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def append(self, **metrics) -> None:
        for key, value in metrics.items():
            self.setdefault(key, []).append(float(value))

    def best_epoch(self, key: str = "val_nll", mode: str = "min") -> int:
        """The epoch (1-based, as in ``history["epoch"]``) where ``key`` is smallest (``mode="min"``) or largest."""
        if key not in self:
            raise KeyError(f"key: {key!r} was not recorded; recorded: {sorted(self)}")
        if mode not in ("min", "max"):
            raise ValueError(f"mode: expected 'min' or 'max', got {mode!r}")
        values = np.asarray(self[key])
        i = int(np.argmin(values) if mode == "min" else np.argmax(values))
        return int(self["epoch"][i])

    def __repr__(self) -> str:  # short and stable: never print every number
        epochs = len(self.get("epoch", []))
        return f"History(epochs={epochs}, keys={sorted(k for k in self if k != 'epoch')})"


@contextmanager
def _deterministic(seed: int):
    """Seeded, single-threaded, deterministic torch; restore global state afterwards."""
    import torch

    threads = torch.get_num_threads()
    deterministic = torch.are_deterministic_algorithms_enabled()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        torch.set_num_threads(1)
        torch.use_deterministic_algorithms(True)
        try:
            yield
        finally:
            torch.set_num_threads(threads)
            torch.use_deterministic_algorithms(deterministic)



def _check_real(value, name: str, minimum: float, strict: bool) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name}: expected a real number, got {type(value).__name__}")
    v = float(value)
    if not np.isfinite(v) or v < minimum or (strict and v == minimum):
        raise ValueError(f"{name}: expected a finite value {'>' if strict else '>='} {minimum:g}, got {v!r}")
    return v


def make_model(
    in_features: int,
    num_classes: int,
    hidden: Sequence[int] | None = (64,),
    dropout: float = 0.0,
    seed: int = 0,
):
    """Softmax regression or a small ReLU MLP producing ``num_classes`` logits.

    ``hidden=()`` or ``None`` gives :math:`z = W x + b` (multinomial logistic
    regression); ``hidden=(h_1, ..., h_k)`` gives ``Linear -> ReLU [-> Dropout]``
    blocks of those widths and a final ``Linear``. Weights use PyTorch's
    default initialisation, drawn from ``seed`` without touching the global
    random state.

    Parameters
    ----------
    in_features : int
        Input dimension d >= 1.
    num_classes : int
        Number of logits C >= 2.
    hidden : sequence of int or None
        Hidden-layer widths (each >= 1).
    dropout : float
        Dropout probability in [0, 1) after every hidden ReLU.
    seed : int

    Returns
    -------
    torch.nn.Sequential
        Maps float32 ``(N, d)`` to logits ``(N, C)``.

    See Also
    --------
    fit; chapters 8-12.
    """
    import torch
    from torch import nn

    d = _check_int(in_features, "in_features", 1)
    C = _check_int(num_classes, "num_classes", 2)
    widths = [] if hidden is None else list(hidden)
    for h in widths:
        _check_int(h, "hidden", 1)
    p = _check_real(dropout, "dropout", 0.0, strict=False)
    if p >= 1:
        raise ValueError(f"dropout: expected a probability in [0, 1), got {p!r}")
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        layers: list = []
        width = d
        for h in widths:
            layers += [nn.Linear(width, h), nn.ReLU()]
            if p > 0:
                layers.append(nn.Dropout(p))
            width = h
        layers.append(nn.Linear(width, C))
        return nn.Sequential(*layers)


def _as_tensors(X, y, name_X: str, name_y: str):
    import torch

    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2:
        raise ValueError(f"{name_X}: expected shape (N, d), got {X.shape}")
    if len(X) == 0:
        raise ValueError(f"{name_X}: expected at least one example, got shape {X.shape}")
    if len(y) != len(X):
        raise ValueError(f"{name_y}: expected {len(X)} targets (one per row of {name_X}), got {len(y)}")
    Xt = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))
    if y.ndim == 1:
        if y.dtype.kind not in "iu":
            raise TypeError(f"{name_y}: class indices must have an integer dtype, got {y.dtype}")
        yt = torch.from_numpy(np.ascontiguousarray(y, dtype=np.int64))
    elif y.ndim == 2:  # soft targets, e.g. a teacher's probabilities
        yt = torch.from_numpy(np.ascontiguousarray(y, dtype=np.float32))
    else:
        raise ValueError(f"{name_y}: expected class indices (N,) or probabilities (N, C), got shape {y.shape}")
    return Xt, yt


def _hard(target):
    return target if target.ndim == 1 else target.argmax(dim=1)


def fit(
    model,
    X,
    y,
    loss_fn: Callable,
    epochs: int = 100,
    lr: float = 1e-2,
    batch_size: int | None = 64,
    weight_decay: float = 0.0,
    seed: int = 0,
    X_val=None,
    y_val=None,
    eval_fn: Callable | None = None,
    optimizer: str = "adam",
    sample_weights=None,
    progress: bool = True,
) -> History:
    """Train ``model`` in place with mini-batch gradient descent; return its :class:`History`.

    Each epoch visits ``N`` examples in an order drawn from a
    ``torch.Generator`` seeded with ``seed`` (a fresh permutation per epoch,
    or, with ``sample_weights``, ``N`` indices drawn with replacement with
    probability proportional to the weights, like ``WeightedRandomSampler``),
    in batches of ``batch_size`` (the last one may be smaller; ``None`` means
    full batch). Every step minimises ``loss_fn(model(x_batch), y_batch)``.
    Training runs on one thread with deterministic algorithms, inside
    ``fork_rng``: the global random state and thread count are restored.

    Parameters
    ----------
    model : torch.nn.Module
        Maps float32 ``(B, d)`` to logits ``(B, C)``; trained in place.
    X : array, shape (N, d)
    y : int array (N,) of class indices, or float array (N, C) of target probabilities
    loss_fn : callable
        ``loss_fn(logits, target) -> scalar tensor``, e.g.
        ``torch.nn.functional.cross_entropy`` or
        ``functools.partial(F.cross_entropy, label_smoothing=0.1)``.
    epochs : int
    lr : float
        Learning rate (> 0).
    batch_size : int or None
    weight_decay : float
        L2 penalty coefficient passed to the optimiser (coupled, as in
        ``torch.optim.Adam``/``SGD``).
    seed : int
        Seeds the batch order and any dropout masks.
    X_val, y_val : arrays, optional
        Validation data, evaluated after every epoch (``val_loss``, ``val_nll``, ``val_acc``).
    eval_fn : callable, optional
        ``eval_fn(model) -> dict[str, float]`` called after every epoch in eval
        mode under ``torch.no_grad()``; each key becomes a History list.
    optimizer : {"adam", "sgd"}
        Adam, or SGD with momentum 0.9.
    sample_weights : array (N,), optional
        Non-negative per-example sampling weights (resampling).
    progress : bool
        Show a ``tqdm.auto`` bar over epochs (``leave=False``). Use ``False`` in
        chapters checked by nbval.

    Returns
    -------
    History
        Per-epoch lists; see :class:`History`.

    Raises
    ------
    ValueError
        Bad shapes, non-positive ``epochs``/``lr``/``batch_size``, negative
        ``weight_decay``, unknown ``optimizer``, only one of ``X_val``/``y_val``,
        bad ``sample_weights``, or a loss that is not a finite scalar.

    See Also
    --------
    make_model, predict_logits; chapters 8-12.
    """
    import torch
    import torch.nn.functional as F

    Xt, yt = _as_tensors(X, y, "X", "y")
    n_epochs = _check_int(epochs, "epochs", 1)
    lr = _check_real(lr, "lr", 0.0, strict=True)
    wd = _check_real(weight_decay, "weight_decay", 0.0, strict=False)
    n = len(Xt)
    bs = n if batch_size is None else _check_int(batch_size, "batch_size", 1)
    if optimizer not in ("adam", "sgd"):
        raise ValueError(f"optimizer: expected 'adam' or 'sgd', got {optimizer!r}")
    if not callable(loss_fn):
        raise TypeError(f"loss_fn: expected a callable loss_fn(logits, target), got {type(loss_fn).__name__}")
    if (X_val is None) != (y_val is None):
        raise ValueError("X_val, y_val: pass both or neither")
    has_val = X_val is not None
    if has_val:
        Xv, yv = _as_tensors(X_val, y_val, "X_val", "y_val")
    weights = None
    if sample_weights is not None:
        w = np.asarray(sample_weights, dtype=np.float64)
        if w.shape != (n,):
            raise ValueError(f"sample_weights: expected shape ({n},), got {w.shape}")
        if not np.all(np.isfinite(w)) or w.min() < 0 or w.sum() <= 0:
            raise ValueError("sample_weights: expected finite non-negative weights with a positive sum")
        weights = torch.from_numpy(w)

    from tqdm.auto import tqdm

    history = History()
    with _deterministic(seed):
        generator = torch.Generator().manual_seed(seed)
        params = model.parameters()
        if optimizer == "adam":
            opt = torch.optim.Adam(params, lr=lr, weight_decay=wd)
        else:
            opt = torch.optim.SGD(params, lr=lr, momentum=0.9, weight_decay=wd)
        bar = tqdm(range(1, n_epochs + 1), desc="epochs", leave=False, disable=not progress)
        for epoch in bar:
            model.train()
            if weights is None:
                order = torch.randperm(n, generator=generator)
            else:
                order = torch.multinomial(weights, n, replacement=True, generator=generator)
            total_loss = 0.0
            correct = 0
            for start in range(0, n, bs):
                idx = order[start : start + bs]
                xb, tb = Xt[idx], yt[idx]
                logits = model(xb)
                loss = loss_fn(logits, tb)
                if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
                    raise ValueError("loss_fn: expected a scalar tensor (use reduction='mean')")
                if not torch.isfinite(loss):
                    raise ValueError(f"loss_fn: the loss became {float(loss.detach())} at epoch {epoch}; lower lr?")
                opt.zero_grad(set_to_none=True)
                loss.backward()
                opt.step()
                total_loss += float(loss.detach()) * len(idx)
                correct += int((logits.detach().argmax(dim=1) == _hard(tb)).sum())
            metrics = {"epoch": epoch, "train_loss": total_loss / n, "train_acc": correct / n}
            if has_val or eval_fn is not None:
                model.eval()
                with torch.no_grad():
                    if has_val:
                        logits_v = model(Xv)
                        log_p = F.log_softmax(logits_v.double(), dim=1)
                        nll = -(log_p.gather(1, _hard(yv)[:, None])).mean() if yv.ndim == 1 else -(yv.double() * log_p).sum(1).mean()
                        metrics["val_loss"] = float(loss_fn(logits_v, yv))
                        metrics["val_nll"] = float(nll)
                        metrics["val_acc"] = float((logits_v.argmax(dim=1) == _hard(yv)).double().mean())
                    if eval_fn is not None:
                        extra = eval_fn(model)
                        if not isinstance(extra, dict):
                            raise TypeError(f"eval_fn: expected a dict of floats, got {type(extra).__name__}")
                        metrics.update(extra)
            history.append(**metrics)
            if progress:
                bar.set_postfix(loss=f"{metrics['train_loss']:.4f}")
        bar.close()
        model.eval()
    return history


def predict_logits(model, X, batch_size: int | None = None) -> np.ndarray:
    """Logits of ``model`` on ``X`` as a float64 NumPy array of shape (N, C).

    The model is put in eval mode (dropout off) and run under ``torch.no_grad()``
    on float32 inputs; the float32 logits are then widened to float64 for the
    NumPy reference functions.

    See Also
    --------
    fit; xent_book.calibration; chapters 8-12.
    """
    import torch

    X = np.asarray(X)
    if X.ndim != 2 or len(X) == 0:
        raise ValueError(f"X: expected a non-empty array of shape (N, d), got {X.shape}")
    Xt = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))
    model.eval()
    bs = len(Xt) if batch_size is None else _check_int(batch_size, "batch_size", 1)
    with torch.no_grad():
        chunks = [model(Xt[i : i + bs]) for i in range(0, len(Xt), bs)]
    return torch.cat(chunks).double().numpy()


def evaluate(model, X, y) -> dict:
    """Accuracy and mean cross-entropy (nats) of ``model`` on ``(X, y)`` with class indices ``y``.

    Returns ``{"acc": float, "nll": float}``, computed in float64 from
    :func:`predict_logits`.
    """
    logits = predict_logits(model, X)
    y = np.asarray(y)
    if y.shape != (len(logits),) or y.dtype.kind not in "iu":
        raise ValueError(f"y: expected {len(logits)} integer class indices, got shape {y.shape} and dtype {y.dtype}")
    z = logits - logits.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return {
        "acc": float(np.mean(logits.argmax(axis=1) == y)),
        "nll": float(-np.mean(log_p[np.arange(len(y)), y])),
    }
