"""Sampling explorer: a next-token distribution under temperature, top-k and top-p, live.

:class:`SamplingExplorer` is an anywidget (one ES module, ``static/sampling.js``, in JupyterLab and
in the book's pages; chapter 15). Its readouts are :func:`sampling_values`, which calls the
package's one home of the sampling filters, :func:`xent_book.lm.sampling_distribution` (and the
mask it is built from), and :func:`xent_book.info.entropy`.

See also: chapter 15 (cross-entropy in language models), chapter 2 (temperature).
"""

from __future__ import annotations

from typing import Any

import anywidget
import numpy as np
import traitlets
from numpy.typing import ArrayLike

from .._validation import as_float_array, check_finite, check_int, check_positive, check_probability_scalar
from ..info import entropy
from ..lm import _sampling_parts
from . import _live

__all__ = ["sampling_values", "SamplingExplorer"]

TEMPERATURE_RANGE = (0.05, 5.0)
TOP_P_RANGE = (0.01, 1.0)
MAX_TOKENS = 512
SHOWN = 16  # bars drawn: the most probable tokens (by logit), then the rest as one bar


def _check_vector(logits) -> np.ndarray:
    z = as_float_array(logits, "logits").astype(np.float64)
    if z.ndim != 1 or not 2 <= z.size <= MAX_TOKENS:
        raise ValueError(f"logits: expected a 1-D array of 2 to {MAX_TOKENS} logits, got shape {z.shape}")
    check_finite(z, "logits")
    return z


def _check_top_k(top_k, v: int) -> int:
    """``None`` or ``k >= V``: all ``V`` tokens; otherwise an int >= 1."""
    return v if top_k is None else min(check_int(top_k, "top_k", 1), v)


def _check_top_p(top_p) -> float:
    return 1.0 if top_p is None else check_probability_scalar(top_p, "top_p", low_open=True)


def sampling_values(
    logits: ArrayLike, temperature: float = 1.0, top_k: int | None = None, top_p: float | None = None
) -> dict:
    r"""The numbers the sampling explorer shows: the sampling distribution and four readouts.

    .. math::
        q = \operatorname{softmax}(z / T), \qquad
        \tilde q = \text{top-}p(\text{top-}k(q)) \text{ renormalised}, \qquad
        H(\tilde q) = -\sum_i \tilde q_i \log_2 \tilde q_i, \qquad
        m = \sum_{i \in K} q_i

    with the kept set :math:`K` and :math:`\tilde q` as :func:`xent_book.lm.sampling_distribution`.

    Parameters
    ----------
    logits : array_like, shape (V,)
        Finite next-token logits, 2 <= V <= 512.
    temperature : float, default 1.0
        ``T > 0``.
    top_k : int or None, default None
        ``k >= 1``; ``None`` (or ``k >= V``) keeps all (returned as ``V``).
    top_p : float or None, default None
        ``0 < p <= 1``; ``None`` keeps all (returned as 1.0).

    Returns
    -------
    dict
        ``logits`` (V,), ``temperature``, ``top_k`` (int), ``top_p`` (float); ``tempered`` (V,)
        :math:`q`; ``probs`` (V,) :math:`\tilde q`; ``kept`` (V,) bool; ``order`` (V,) token
        indices ranked by logit (ties by index); and the readouts ``entropy_bits`` (bits),
        ``n_kept`` (int), ``kept_mass`` (the kept tokens' mass under :math:`q`, in (0, 1]) and
        ``p_top`` (the largest :math:`\tilde q_i`).

    Raises
    ------
    TypeError
        ``logits`` not an array of real numbers; a knob of the wrong type (a bool, a float ``top_k``).
    ValueError
        Non-finite logits, not 1-D, fewer than 2 or more than 512; ``T <= 0`` or not finite;
        ``top_k < 1``; ``top_p`` outside (0, 1].

    See Also
    --------
    SamplingExplorer : The explorer that shows these numbers.
    xent_book.lm.sampling_distribution : The distribution sampled from.

    Notes
    -----
    Chapter 15 (sampling).
    """
    z = _check_vector(logits)
    t = check_positive(temperature, "temperature")
    k = _check_top_k(top_k, z.size)
    p = _check_top_p(top_p)
    q, kept = _sampling_parts(z, t, k, p)  # the package's one home of the filters
    probs = np.where(kept, q, 0.0)
    probs = probs / probs.sum()  # as lm.sampling_distribution
    return {
        "logits": z,
        "temperature": t,
        "top_k": k,
        "top_p": p,
        "tempered": q,
        "probs": probs,
        "kept": kept,
        "order": np.argsort(-z, kind="stable"),
        "entropy_bits": float(entropy(probs, base=2)),
        "n_kept": int(kept.sum()),
        "kept_mass": float(q[kept].sum()),
        "p_top": float(probs.max()),
    }


class SamplingExplorer(anywidget.AnyWidget):
    """Temperature, top-k and top-p sliders over one next-token distribution (anywidget).

    Display it as a cell's last expression. Its view (``static/sampling.js``) recomputes the
    tempered softmax, the kept set and the renormalised sampling distribution in the browser on
    every input and draws the :data:`SHOWN` most probable tokens (and the rest as one bar): each
    token's probability before the filters (outline) and in the sampling distribution (filled when
    kept). Readouts (``data-name``): ``entropy_bits``, ``n_kept``, ``kept_mass``, ``p_top``,
    ``temperature``, ``top_k``, ``top_p``. The controls are written back into the traits, so a
    reader can read them (``explorer.top_p``) or set them (``explorer.temperature = 0.5``) from a cell.

    Parameters
    ----------
    logits : sequence of float, shape (V,)
        Finite next-token logits, 2 <= V <= 512.
    tokens : sequence of str, optional
        A label per token (default ``"0"``, ``"1"``, ...); a space, newline or tab is drawn as a visible sign.
    temperature : float, default 1.0
        ``T > 0``; a log-scale slider on about [0.05, 5].
    top_k : int or None, default None
        ``None`` or ``k >= V``: all tokens (stored as ``V``); a slider on [1, V].
    top_p : float or None, default None
        ``None``: 1.0; a slider on [0.01, 1] (a smaller value set from a cell is held exactly).
    **kwargs
        Passed to :class:`anywidget.AnyWidget` (for instance ``layout``).

    Attributes
    ----------
    logits : list of float
    tokens : list of str
        The data (read-only traits).
    temperature : float
    top_k : int
    top_p : float
        The synced state (traits); setting one redraws the view.

    Raises
    ------
    TypeError, ValueError
        As :func:`sampling_values`; ``tokens`` not a sequence of V strings (also when a knob is set).

    See Also
    --------
    sampling_values : The numbers on display.
    xent_book.lm.sampling_distribution : The distribution sampled from.

    Notes
    -----
    Chapter 15 (sampling).
    """

    _esm = traitlets.Unicode(_live.esm("sampling")).tag(sync=True)
    _css = traitlets.Unicode(_live.css()).tag(sync=True)
    #: the data (read-only: build a new explorer for other logits)
    logits = traitlets.List(read_only=True).tag(sync=True)
    tokens = traitlets.List(read_only=True).tag(sync=True)
    # traitlets.Any plus a validator: a bad value set from a cell is refused by the package's checks
    temperature = _live.Checked(1.0).tag(sync=True)
    top_k = _live.Checked(1).tag(sync=True)
    top_p = _live.Checked(1.0).tag(sync=True)

    def __init__(
        self,
        logits: ArrayLike,
        tokens: list[str] | None = None,
        temperature: float = 1.0,
        top_k: int | None = None,
        top_p: float | None = None,
        **kwargs: Any,
    ) -> None:
        init = sampling_values(logits, temperature, top_k, top_p)  # validates
        z = init["logits"]
        labels = _check_tokens(tokens, z.size)
        self._z = z
        super().__init__(temperature=init["temperature"], top_k=init["top_k"], top_p=init["top_p"], **kwargs)
        self.set_trait("logits", [float(x) for x in z])
        self.set_trait("tokens", labels)

    @traitlets.validate("temperature")
    def _valid_temperature(self, proposal):
        return check_positive(proposal["value"], "temperature")

    @traitlets.validate("top_k")
    def _valid_top_k(self, proposal):
        return _check_top_k(proposal["value"], self._z.size)

    @traitlets.validate("top_p")
    def _valid_top_p(self, proposal):
        return _check_top_p(proposal["value"])

    def __repr__(self) -> str:  # no address: the stored notebook output is the same on every run
        return (
            f"SamplingExplorer(V={self._z.size}, temperature={self.temperature!r}, "
            f"top_k={self.top_k!r}, top_p={self.top_p!r})"
        )

    def values(self) -> dict:
        """The numbers on display, as :func:`sampling_values` of the current traits.

        Returns
        -------
        dict
            As :func:`sampling_values`.
        """
        return sampling_values(self._z, self.temperature, self.top_k, self.top_p)


def _check_tokens(tokens, v: int) -> list[str]:
    if tokens is None:
        return [str(i) for i in range(v)]
    try:
        if isinstance(tokens, str | bytes):
            raise TypeError
        labels = list(tokens)
    except TypeError:
        raise TypeError(f"tokens: expected a sequence of {v} strings, got {type(tokens).__name__}") from None
    if len(labels) != v:
        raise ValueError(f"tokens: expected {v} labels (one per logit), got {len(labels)}")
    if not all(isinstance(s, str) for s in labels):
        raise TypeError("tokens: expected strings")
    return [str(s) for s in labels]
