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

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

if TYPE_CHECKING:
    import torch

from ._validation import (
    MAX_CLASSES,
    as_float_array,
    check_bool,
    check_choice,
    check_distribution,
    check_finite,
    check_int,
    check_labels,
    check_positive,
    check_probability_scalar,
    check_seed,
)

#: Upper limits: epochs (so that every call ends), layer widths and parameters (so that a model fits in memory).
MAX_EPOCHS = 10**5
MAX_WIDTH = 10**5
MAX_PARAMETERS = 10**8
MAX_RATE = 1e6  # lr and weight_decay

#: Models, data and optimiser state are float64: float32 training rounds differently on
#: every CPU's kernels (AVX2, AVX-512, ARM), and tens of epochs amplify that into the
#: printed digits; in float64 the printed digits are the same on any CPU.
DTYPE_NAME = "float64"


def _dtype():
    import torch

    return getattr(torch, DTYPE_NAME)


def _model_dtype(model):
    """The dtype of the model's first floating parameter (float64 for a parameterless model)."""
    for p in model.parameters():
        if p.is_floating_point():
            return p.dtype
    return _dtype()


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

    def append(self, **metrics: float) -> None:
        """Append one value to each named list (a new key starts a new list).

        Parameters
        ----------
        **metrics : float
            One number per metric name, e.g. ``train_loss=0.69, val_nll=0.71``.

        Raises
        ------
        TypeError
            A value that is not a number (named by its key).
        """
        for key, value in metrics.items():
            try:
                number = float(value)
            except (TypeError, ValueError, OverflowError):
                raise TypeError(f"{key}: expected a number to record, got {type(value).__name__}") from None
            self.setdefault(key, []).append(number)

    def best_epoch(self, key: str = "val_nll", mode: str = "min") -> int:
        """The epoch (1-based, as in ``history["epoch"]``) where ``key`` is smallest (``mode="min"``) or largest.

        NaN values are skipped (an epoch whose metric is NaN is never the best);
        on ties the first such epoch is returned.

        Parameters
        ----------
        key : str, default "val_nll"
            A recorded metric.
        mode : {"min", "max"}, default "min"
            Whether the best value is the smallest or the largest.

        Returns
        -------
        int
            The best epoch, 1-based.

        Raises
        ------
        ValueError
            ``key`` not recorded (or not a str), ``mode`` not ``"min"``/``"max"``,
            no ``"epoch"`` list of the same length, or every value NaN.
        """
        if not isinstance(key, str) or key not in self:
            raise ValueError(f"key: {key!r} was not recorded; recorded: {sorted(self)}")
        check_choice(mode, "mode", ("min", "max"))
        values = np.asarray(self[key], dtype=np.float64)
        epochs = self.get("epoch", [])
        if len(epochs) != len(values) or values.size == 0 or np.isnan(values).all():
            raise ValueError(
                f"key: {key!r} has no epoch with a number to compare (values {values.tolist()[:5]})"
            )
        i = int(np.nanargmin(values) if mode == "min" else np.nanargmax(values))
        return int(epochs[i])

    def __repr__(self) -> str:  # short and stable: never print every number
        epochs = len(self.get("epoch", []))
        return f"History(epochs={epochs}, keys={sorted(k for k in self if k != 'epoch')})"


@contextmanager
def _deterministic(seed: int) -> Iterator[None]:
    """Seeded, single-threaded, deterministic torch; restore global state afterwards."""
    import torch

    from .reproducibility import _deterministic_algorithms

    threads = torch.get_num_threads()
    deterministic = torch.are_deterministic_algorithms_enabled()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        torch.set_num_threads(1)
        _deterministic_algorithms(torch, True)  # without importing TorchInductor (seconds)
        try:
            yield
        finally:
            torch.set_num_threads(threads)
            _deterministic_algorithms(torch, deterministic)


def _check_model(model):
    import torch

    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model: expected a torch.nn.Module, got {type(model).__name__}")
    return model


def _num_logits(model, X1) -> int:
    """Run ``model`` on one example (eval mode, no grad: no random numbers drawn); return C."""
    import torch

    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            out = model(X1)
    except RuntimeError as exc:  # shape mismatch inside the model
        raise ValueError(f"X: the model cannot take input of shape (N, {X1.shape[1]}) ({exc})") from None
    finally:
        model.train(was_training)
    if not isinstance(out, torch.Tensor) or out.dim() != 2 or out.shape[0] != 1 or out.shape[1] < 1:
        raise ValueError(
            f"model: expected logits of shape (N, C), got {getattr(out, 'shape', type(out).__name__)}"
        )
    if not out.is_floating_point():
        raise ValueError(f"model: expected floating logits, got {out.dtype}")
    return int(out.shape[1])


def make_model(
    in_features: int,
    num_classes: int,
    hidden: Sequence[int] | None = (64,),
    dropout: float = 0.0,
    seed: int = 0,
) -> torch.nn.Sequential:
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
        Seeds the initial weights, in [0, 2**32 - 1].

    Returns
    -------
    torch.nn.Sequential
        Maps float64 ``(N, d)`` to logits ``(N, C)`` (float64 weights: the same digits on any CPU).

    Raises
    ------
    TypeError
        A non-int size or ``seed``, ``hidden`` not a sequence of ints (or None),
        a non-real ``dropout``.
    ValueError
        ``in_features`` or a width outside [1, 10**5], ``num_classes`` outside
        [2, 10**6], more than 10**8 parameters, ``dropout`` outside [0, 1),
        ``seed`` outside [0, 2**32 - 1].

    See Also
    --------
    fit

    Notes
    -----
    Chapters 8-12.
    """
    import torch
    from torch import nn

    d = check_int(in_features, "in_features", 1, MAX_WIDTH)
    C = check_int(num_classes, "num_classes", 2, MAX_CLASSES)
    if hidden is None:
        widths = []
    elif isinstance(hidden, (str, bytes)) or not isinstance(hidden, Sequence):
        raise TypeError(
            f"hidden: expected a sequence of layer widths such as (64,), or None, got {type(hidden).__name__}"
        )
    else:
        widths = [check_int(h, "hidden", 1, MAX_WIDTH) for h in hidden]
    sizes = [d, *widths, C]
    n_params = sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))
    if n_params > MAX_PARAMETERS:
        raise ValueError(
            f"in_features, hidden, num_classes: {n_params} parameters, more than {MAX_PARAMETERS}"
        )
    p = check_probability_scalar(dropout, "dropout", high_open=True)
    s = check_seed(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(s)
        layers: list = []
        width = d
        for h in widths:
            layers += [nn.Linear(width, h, dtype=_dtype()), nn.ReLU()]
            if p > 0:
                layers.append(nn.Dropout(p))
            width = h
        layers.append(nn.Linear(width, C, dtype=_dtype()))
        return nn.Sequential(*layers)


def _features(X, name: str = "X", dtype=None):
    """Finite, non-empty (N, d) features as a tensor of ``dtype`` (default float64)."""
    import torch

    Xa = as_float_array(X, name)
    if Xa.ndim != 2:
        raise ValueError(f"{name}: expected shape (N, d), got {Xa.shape}")
    if Xa.size == 0:
        raise ValueError(f"{name}: expected at least one example and one feature, got shape {Xa.shape}")
    check_finite(Xa, name)
    dtype = _dtype() if dtype is None else dtype
    np_dtype = torch.empty((), dtype=dtype).numpy().dtype
    if np.abs(Xa).max() > np.finfo(np_dtype).max:
        raise ValueError(
            f"{name}: expected values within {np_dtype}'s range (the model computes in {np_dtype})"
        )
    return torch.from_numpy(np.ascontiguousarray(Xa, dtype=np_dtype))


def _as_tensors(X, y, name_X: str, name_y: str, num_classes: int | None = None, dtype=None):
    """Features and targets: (N,) class indices in [0, C) or (N, C) probabilities, floats of ``dtype``."""
    import torch

    Xt = _features(X, name_X, dtype)
    try:
        ya = np.asarray(y)
    except (ValueError, TypeError) as exc:
        raise TypeError(f"{name_y}: expected class indices or probabilities ({exc})") from None
    if ya.ndim == 0 or len(ya) != len(Xt):
        raise ValueError(
            f"{name_y}: expected {len(Xt)} targets (one per row of {name_X}), got shape {ya.shape}"
        )
    if ya.ndim == 1:
        if ya.dtype.kind not in "iu":
            raise TypeError(f"{name_y}: class indices must have an integer dtype, got {ya.dtype}")
        yt = torch.from_numpy(check_labels(ya, name_y, num_classes))
    elif ya.ndim == 2:  # soft targets, e.g. a teacher's probabilities
        yf = as_float_array(ya, name_y)
        if num_classes is not None and yf.shape[1] != num_classes:
            raise ValueError(
                f"{name_y}: expected {num_classes} probabilities per row (one per logit), got {yf.shape}"
            )
        check_distribution(yf, name_y, axis=1)
        yt = torch.from_numpy(yf.astype(np.float64)).to(Xt.dtype)
    else:
        raise ValueError(
            f"{name_y}: expected class indices (N,) or probabilities (N, C), got shape {ya.shape}"
        )
    return Xt, yt


def _hard(target):
    return target if target.ndim == 1 else target.argmax(dim=1)


def fit(
    model: torch.nn.Module,
    X: ArrayLike,
    y: ArrayLike,
    loss_fn: Callable,
    epochs: int = 100,
    lr: float = 1e-2,
    batch_size: int | None = 64,
    weight_decay: float = 0.0,
    seed: int = 0,
    X_val: ArrayLike | None = None,
    y_val: ArrayLike | None = None,
    eval_fn: Callable | None = None,
    optimizer: str = "adam",
    sample_weights: ArrayLike | None = None,
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
        Maps ``(B, d)`` features to logits ``(B, C)``; trained in place, in the dtype
        of its parameters (float64 from :func:`make_model`).
    X : array, shape (N, d)
        Finite training features.
    y : int array (N,) of class indices, or float array (N, C) of target probabilities
        The training targets, passed to ``loss_fn`` as a tensor.
    loss_fn : callable
        ``loss_fn(logits, target) -> scalar tensor``, e.g.
        ``torch.nn.functional.cross_entropy`` or
        ``functools.partial(F.cross_entropy, label_smoothing=0.1)``.
    epochs : int
        Passes over the data, 1 to 10**5.
    lr : float
        Learning rate (> 0).
    batch_size : int or None
        Examples per step (>= 1, capped at N); ``None`` trains full batch.
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
    TypeError
        ``model`` not a ``torch.nn.Module``, non-numeric ``X``, class indices
        that are not integers, a non-callable ``loss_fn`` or ``eval_fn``, an
        ``eval_fn`` that returns no dict, a non-int ``epochs``/``batch_size``/
        ``seed``, a non-real ``lr``/``weight_decay``, a non-bool ``progress``.
    ValueError
        ``X`` not (N, d), empty or not finite; ``y`` of another length, labels
        outside ``[0, C)`` for the model's C logits, probability rows that are
        not distributions; a model whose output is not (N, C); ``epochs`` outside
        [1, 10**5], ``lr`` not in (0, 1e6], ``batch_size`` < 1, ``weight_decay``
        not in [0, 1e6],
        unknown ``optimizer``, only one of ``X_val``/``y_val``, bad
        ``sample_weights``, a bad ``seed``, or a loss that is not a finite scalar.

    See Also
    --------
    make_model
    predict_logits

    Notes
    -----
    Chapters 8-12.
    """
    import torch
    import torch.nn.functional as F

    _check_model(model)
    dtype = _model_dtype(model)
    Xt = _features(X, "X", dtype)
    num_classes = _num_logits(model, Xt[:1])
    Xt, yt = _as_tensors(X, y, "X", "y", num_classes, dtype)
    n_epochs = check_int(epochs, "epochs", 1, MAX_EPOCHS)
    lr = check_positive(lr, "lr")
    wd = check_positive(weight_decay, "weight_decay", allow_zero=True)
    for name, value in (("lr", lr), ("weight_decay", wd)):
        if value > MAX_RATE:
            raise ValueError(f"{name}: expected at most {MAX_RATE:g}, got {value!r}")
    seed = check_seed(seed)
    progress = check_bool(progress, "progress")
    n = len(Xt)
    bs = n if batch_size is None else min(check_int(batch_size, "batch_size", 1), n)
    check_choice(optimizer, "optimizer", ("adam", "sgd"))
    if not callable(loss_fn):
        raise TypeError(f"loss_fn: expected a callable loss_fn(logits, target), got {type(loss_fn).__name__}")
    if eval_fn is not None and not callable(eval_fn):
        raise TypeError(f"eval_fn: expected a callable eval_fn(model) -> dict, got {type(eval_fn).__name__}")
    if (X_val is None) != (y_val is None):
        raise ValueError("X_val, y_val: pass both or neither")
    has_val = X_val is not None
    if has_val:
        Xv, yv = _as_tensors(X_val, y_val, "X_val", "y_val", num_classes, dtype)
        if Xv.shape[1] != Xt.shape[1]:
            raise ValueError(f"X_val: expected {Xt.shape[1]} features as X, got shape {tuple(Xv.shape)}")
    weights = None
    if sample_weights is not None:
        w = as_float_array(sample_weights, "sample_weights").astype(np.float64)
        if w.shape != (n,):
            raise ValueError(f"sample_weights: expected shape ({n},), got {w.shape}")
        with np.errstate(over="ignore"):
            total = w.sum()
        if not np.all(np.isfinite(w)) or w.min() < 0 or not 0 < total < np.inf:
            raise ValueError(
                "sample_weights: expected finite non-negative weights with a positive, finite sum"
            )
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
                    raise ValueError(
                        f"loss_fn: the loss became {float(loss.detach())} at epoch {epoch}; lower lr?"
                    )
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
                        nll = F.cross_entropy(logits_v.double(), yv if yv.ndim == 1 else yv.double())
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


def predict_logits(model: torch.nn.Module, X: ArrayLike, batch_size: int | None = None) -> np.ndarray:
    """Compute the logits of ``model`` on ``X`` as a float64 NumPy array of shape (N, C).

    The model is put in eval mode (dropout off) and run under ``torch.no_grad()``
    on inputs of the model's dtype (float64 from :func:`make_model`); the logits are
    returned as float64 for the
    NumPy reference functions.

    Parameters
    ----------
    model : torch.nn.Module
        Maps ``(B, d)`` features to logits ``(B, C)``; left in eval mode.
    X : array, shape (N, d)
        Finite features, cast to the dtype of the model's parameters.
    batch_size : int or None
        Rows per forward pass (>= 1, capped at N); ``None`` runs all rows at once.

    Returns
    -------
    numpy.ndarray of float64, shape (N, C)
        The logits.

    Raises
    ------
    TypeError
        ``model`` not a ``torch.nn.Module``, non-numeric ``X``, non-int ``batch_size``.
    ValueError
        ``X`` not a non-empty finite (N, d) array the model can take, a model
        whose output is not (N, C), ``batch_size`` < 1.

    See Also
    --------
    fit
    xent_book.calibration

    Notes
    -----
    Chapters 8-12.
    """
    import torch

    _check_model(model)
    Xt = _features(X, "X", _model_dtype(model))
    bs = len(Xt) if batch_size is None else min(check_int(batch_size, "batch_size", 1), len(Xt))
    _num_logits(model, Xt[:1])
    model.eval()
    with torch.no_grad():
        chunks = [model(Xt[i : i + bs]) for i in range(0, len(Xt), bs)]
    return torch.cat(chunks).double().numpy()


def evaluate(model: torch.nn.Module, X: ArrayLike, y: ArrayLike) -> dict[str, float]:
    """Accuracy and mean cross-entropy (nats) of ``model`` on ``(X, y)`` with class indices ``y``.

    Parameters
    ----------
    model : torch.nn.Module
        Maps ``(N, d)`` features to logits ``(N, C)``; left in eval mode.
    X : array, shape (N, d)
        Finite features.
    y : int array, shape (N,)
        Class indices in ``[0, C)``.

    Returns
    -------
    dict of str to float
        ``{"acc": ..., "nll": ...}``: the fraction of rows whose argmax
        logit is the label, and :func:`xent_book.cross_entropy` (nats) of the
        float64 logits of :func:`predict_logits`.

    Raises
    ------
    TypeError
        As :func:`predict_logits`; ``y`` not integer class indices.
    ValueError
        As :func:`predict_logits`; ``y`` not of shape (N,) or a label outside
        ``[0, C)`` (a label of -1 is refused, not read as the last class).

    See Also
    --------
    predict_logits
    fit

    Notes
    -----
    Chapters 4 and 9.
    """
    from .losses import cross_entropy

    logits = predict_logits(model, X)
    labels = check_labels(y, "y", logits.shape[1])
    if labels.shape != (len(logits),):
        raise ValueError(f"y: expected shape ({len(logits)},), one label per row of X, got {labels.shape}")
    return {
        "acc": float(np.mean(logits.argmax(axis=1) == labels)),
        "nll": float(cross_entropy(logits, labels)),
    }
