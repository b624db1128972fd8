"""Entropy and KL explorers: H(p) against its maximum, and H(p, q) = H(p) + KL(p || q), live.

:class:`EntropyExplorer` (chapter 3) and :class:`EntropyKLExplorer` (chapter 4) are anywidgets with
one ES module, ``static/entropy.js``, in JupyterLab and in the book's pages. Both take unnormalised
non-negative weights (one slider per outcome) and normalise them for display, so that every slider
position is a valid distribution; all-zero weights (every slider at 0) are shown as the uniform
distribution, with a note. Their readouts are :func:`entropy_values` and :func:`entropy_kl_values`,
which call :mod:`xent_book.info`.

See also: chapter 3 (entropy) and chapter 4 (cross-entropy and KL divergence).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import Any

import anywidget
import numpy as np
import traitlets
from numpy.typing import ArrayLike

from .._validation import as_float_array, check_explorer_base, check_finite
from ..info import cross_entropy as info_cross_entropy
from ..info import entropy as info_entropy
from ..info import kl_divergence as info_kl_divergence
from . import _live

__all__ = [
    "entropy_kl_explorer",
    "entropy_kl_values",
    "EntropyKLExplorer",
    "entropy_explorer",
    "entropy_values",
    "EntropyExplorer",
]

MAX_OUTCOMES = 8
#: Units by base, for labels and the base selector.
UNITS = {2.0: "bits", math.e: "nats", 10.0: "hartleys"}


def _unit(base) -> str:
    if base is None:
        return "nats"
    return UNITS.get(float(base), f"base-{float(base):g} units")


def normalise_weights(w: ArrayLike, name: str, allow_zero: bool = False) -> np.ndarray:
    """Non-negative finite weights -> a distribution (float64). All zeros: error, or uniform if ``allow_zero``."""
    arr = as_float_array(w, name).astype(np.float64)
    if arr.ndim != 1 or arr.size < 2:
        raise ValueError(f"{name}: expected a 1-D array of at least 2 weights, got shape {arr.shape}")
    check_finite(arr, name)
    if (arr < 0).any():
        raise ValueError(f"{name}: expected non-negative weights, found {float(arr.min()):.6g}")
    total = arr.sum()
    if total == 0:
        if allow_zero:
            return np.full(arr.size, 1.0 / arr.size)
        raise ValueError(f"{name}: the weights sum to 0, so they do not define a distribution")
    return arr / total


def entropy_values(p: ArrayLike = (0.5, 0.3, 0.2), base: float | None = 2) -> dict:
    r"""The numbers the entropy explorer shows.

    .. math:: H(p) = -\sum_k p_k \log_b p_k \le \log_b C

    Parameters
    ----------
    p : array_like, shape (C,)
        Non-negative weights (C >= 2), normalised here to a distribution.
    base : float or None, default 2
        Logarithm base: 2 for bits, ``None`` or ``math.e`` for nats.

    Returns
    -------
    dict
        ``p`` (C,) normalised; ``entropy`` H(p), ``max_entropy`` log_b C (in
        the unit of ``base``); ``perplexity`` b^H(p) = e^H (an effective number
        of outcomes, between 1 and C); ``unit``; ``base``.

    Raises
    ------
    TypeError
        ``p`` not an array of real numbers; ``base`` not None or a real number.
    ValueError
        Negative or non-finite weights, all zero, fewer than 2, not 1-D, a ragged
        list; a base that is not finite or not > 1.

    See Also
    --------
    entropy_explorer
    xent_book.info.entropy

    Notes
    -----
    Chapter 3 (entropy).
    """
    pn = normalise_weights(p, "p")
    check_explorer_base(base)
    h = float(info_entropy(pn, base=base))
    hmax = float(math.log(pn.size) / (1.0 if base is None else math.log(base)))
    h_nats = float(info_entropy(pn))
    return {
        "p": pn,
        "entropy": h,
        "max_entropy": hmax,
        "perplexity": math.exp(h_nats),
        "unit": _unit(base),
        "base": base,
    }


def entropy_kl_values(
    p: ArrayLike = (0.5, 0.3, 0.2), q: ArrayLike = (0.2, 0.3, 0.5), base: float | None = 2
) -> dict:
    r"""The numbers the entropy/KL explorer shows: H(p), H(p, q) and KL(p || q).

    .. math::
        H(p, q) = -\sum_k p_k \log_b q_k = H(p) + \mathrm{KL}(p \,\|\, q),
        \qquad \mathrm{KL}(p \,\|\, q) = \sum_k p_k \log_b \frac{p_k}{q_k} \ge 0

    Parameters
    ----------
    p, q : array_like, shape (C,)
        Non-negative weights (C >= 2), each normalised here to a distribution:
        ``p`` is the data (true) distribution, ``q`` the model's.
    base : float or None, default 2
        2 for bits, ``None`` or ``math.e`` for nats.

    Returns
    -------
    dict
        ``p``, ``q`` (C,) normalised; ``entropy`` H(p), ``cross_entropy``
        H(p, q), ``kl`` KL(p || q) (``inf`` where some ``q_k = 0 < p_k``),
        ``kl_reverse`` KL(q || p), ``max_entropy`` log_b C; ``unit``; ``base``.
        Computed with :mod:`xent_book.info`.

    Raises
    ------
    TypeError
        ``p`` or ``q`` not an array of real numbers; ``base`` not None or a real number.
    ValueError
        Negative or non-finite weights, all zero, fewer than 2, not 1-D, a ragged
        list, different lengths (named ``q``); a base that is not finite or not > 1.

    See Also
    --------
    entropy_kl_explorer
    xent_book.info

    Notes
    -----
    Chapter 4 (cross-entropy and KL divergence).
    """
    pn = normalise_weights(p, "p")
    qn = normalise_weights(q, "q")
    if pn.size != qn.size:
        raise ValueError(f"q: expected {pn.size} weights to match p, got {qn.size}")
    check_explorer_base(base)
    return {
        "p": pn,
        "q": qn,
        "entropy": float(info_entropy(pn, base=base)),
        "cross_entropy": float(info_cross_entropy(pn, qn, base=base)),
        "kl": float(info_kl_divergence(pn, qn, base=base)),
        "kl_reverse": float(info_kl_divergence(qn, pn, base=base)),
        "max_entropy": float(math.log(pn.size) / (1.0 if base is None else math.log(base))),
        "unit": _unit(base),
        "base": base,
    }


def _check_size(pn, name):
    if pn.size > MAX_OUTCOMES:
        raise ValueError(f"{name}: the explorer shows at most {MAX_OUTCOMES} outcomes, got {pn.size}")


def _check_weights(w, name: str) -> list[float]:
    """A trait's weights: 2 to 8 finite non-negative numbers with a finite sum (all 0 is allowed: the
    sliders can reach it, and the view shows it as uniform)."""
    arr = as_float_array(w, name).astype(np.float64)
    if arr.ndim != 1 or arr.size < 2:
        raise ValueError(f"{name}: expected a 1-D array of at least 2 weights, got shape {arr.shape}")
    _check_size(arr, name)
    check_finite(arr, name)
    if (arr < 0).any():
        raise ValueError(f"{name}: expected non-negative weights, found {float(arr.min()):.6g}")
    with np.errstate(over="ignore"):
        if not math.isfinite(float(arr.sum())):
            raise ValueError(f"{name}: the weights' sum overflows float64")
    return [float(x) for x in arr]


def _check_base(base) -> float:
    """The ``base`` trait: a float > 1 (None, nats, is stored as ``math.e``)."""
    check_explorer_base(base)
    return math.e if base is None else float(base)


def _zero_note(*named) -> str:
    zero = [name for name, w in named if sum(w) == 0]
    return f"All weights of {' and '.join(zero)} are 0: shown as uniform." if zero else ""


class EntropyExplorer(anywidget.AnyWidget):
    """Sliders for the weights of p; bars of p and its entropy against the maximum log C (anywidget).

    Display it as a cell's last expression. Its view (``static/entropy.js``) normalises the weights
    and recomputes H(p), log C and the perplexity in the browser on every input, with no kernel
    round trip. One slider of non-negative weight per outcome (on [0, 1], longer for a weight set
    beyond it) and a unit selector (bits, nats); all weights 0 are shown as the uniform distribution,
    with a note. Readouts (``data-name``): ``entropy``, ``max_entropy``, ``perplexity``, ``p0``...
    The controls are written back into the traits, so a reader can read them (``explorer.p``, the
    weights) or set them (``explorer.p = [1, 1, 2]``, ``explorer.base = 2``) from a cell.

    Parameters
    ----------
    p : sequence of float, default (0.5, 0.3, 0.2)
        2 to 8 non-negative weights, not all 0; the sliders start at them normalised.
    base : float or None, default 2
        2 for bits, None or ``math.e`` for nats (any base > 1).
    **kwargs
        Passed on to ``anywidget.AnyWidget`` (e.g. ``layout``).

    Attributes
    ----------
    p : list of float
        The weights (the sliders' values; all 0 allowed once built).
    base : float
        The logarithm base (``math.e`` for nats).

    Raises
    ------
    TypeError, ValueError
        As :func:`entropy_values`; more than 8 outcomes (also when a trait is set).

    See Also
    --------
    entropy_values, entropy_explorer

    Notes
    -----
    Chapter 3 (entropy).
    """

    _esm = traitlets.Unicode(_live.esm("entropy")).tag(sync=True)
    _css = traitlets.Unicode(_live.css()).tag(sync=True)
    # traitlets.Any plus a validator: a bad value set from a cell is refused by the package's checks
    p = _live.Checked([0.5, 0.3, 0.2]).tag(sync=True)
    base = _live.Checked(2.0).tag(sync=True)

    def __init__(self, p: ArrayLike = (0.5, 0.3, 0.2), base: float | None = 2, **kwargs: Any) -> None:
        init = entropy_values(p, base)  # validates (all-zero weights define no distribution)
        _check_size(init["p"], "p")
        super().__init__(p=[float(x) for x in init["p"]], base=_check_base(base), **kwargs)

    @traitlets.validate("p")
    def _valid_p(self, proposal):
        return _check_weights(proposal["value"], "p")

    @traitlets.validate("base")
    def _valid_base(self, proposal):
        return _check_base(proposal["value"])

    def __repr__(self) -> str:  # no address: the stored notebook output is the same on every run
        return f"EntropyExplorer(p={self.p!r}, base={self.base!r})"

    def values(self) -> dict:
        """The numbers on display, as :func:`entropy_values` of the normalised weights, with ``note``.

        Returns
        -------
        dict
            As :func:`entropy_values`, plus ``note`` (the line shown when a weight is 0).
        """
        v = entropy_values(normalise_weights(self.p, "p", allow_zero=True), self.base)
        v["note"] = _zero_note(("p", self.p))
        return v


class EntropyKLExplorer(anywidget.AnyWidget):
    """Sliders for p and q; bars of both, and H(p, q) as the stacked bar H(p) + KL(p || q) (anywidget).

    Display it as a cell's last expression. Its view (``static/entropy.js``) normalises both sets of
    weights and recomputes H(p), H(p, q), KL(p || q) and the reverse KL(q || p) in the browser on
    every input, with no kernel round trip. Readouts (``data-name``): ``entropy``, ``kl``,
    ``cross_entropy``, ``kl_reverse``, ``max_entropy``, ``p0``.., ``q0``..; a ``q_k = 0`` where
    ``p_k > 0`` gives ``KL = inf`` (shown as ∞). The traits ``p``, ``q`` (weights) and ``base`` can
    be read and set from a cell; to change the number of outcomes, set both inside
    ``with explorer.hold_trait_notifications():`` (they are checked against each other at its end).

    Parameters
    ----------
    p, q : sequence of float
        Starting weights of the data and model distributions, 2 to 8 each (same length), not all 0.
    base : float or None, default 2
        2 for bits, None or ``math.e`` for nats (any base > 1).
    **kwargs
        Passed on to ``anywidget.AnyWidget`` (e.g. ``layout``).

    Attributes
    ----------
    p, q : list of float
        The weights (the sliders' values; all 0 allowed once built).
    base : float
        The logarithm base (``math.e`` for nats).

    Raises
    ------
    TypeError, ValueError
        As :func:`entropy_kl_values`; more than 8 outcomes; ``p`` and ``q`` of different lengths
        (also when a trait is set).

    See Also
    --------
    entropy_kl_values, entropy_kl_explorer

    Notes
    -----
    Chapter 4 (cross-entropy and KL divergence).
    """

    _esm = traitlets.Unicode(_live.esm("entropy")).tag(sync=True)
    _css = traitlets.Unicode(_live.css()).tag(sync=True)
    p = _live.Checked([0.5, 0.3, 0.2]).tag(sync=True)
    q = _live.Checked([0.2, 0.3, 0.5]).tag(sync=True)
    base = _live.Checked(2.0).tag(sync=True)

    def __init__(
        self,
        p: ArrayLike = (0.5, 0.3, 0.2),
        q: ArrayLike = (0.2, 0.3, 0.5),
        base: float | None = 2,
        **kwargs: Any,
    ) -> None:
        init = entropy_kl_values(p, q, base)  # validates
        _check_size(init["p"], "p")
        super().__init__(  # HasTraits sets the traits together: p and q are checked against each other after
            p=[float(x) for x in init["p"]],
            q=[float(x) for x in init["q"]],
            base=_check_base(base),
            **kwargs,
        )

    @traitlets.validate("p")
    def _valid_p(self, proposal):
        w = _check_weights(proposal["value"], "p")
        if len(w) != len(self.q):
            raise ValueError(
                f"p: expected {len(self.q)} weights to match q, got {len(w)} (to change both, set them "
                "inside `with explorer.hold_trait_notifications():`)"
            )
        return w

    @traitlets.validate("q")
    def _valid_q(self, proposal):
        w = _check_weights(proposal["value"], "q")
        if len(w) != len(self.p):
            raise ValueError(
                f"q: expected {len(self.p)} weights to match p, got {len(w)} (to change both, set them "
                "inside `with explorer.hold_trait_notifications():`)"
            )
        return w

    @traitlets.validate("base")
    def _valid_base(self, proposal):
        return _check_base(proposal["value"])

    @contextlib.contextmanager
    def hold_trait_notifications(self) -> Iterator[None]:
        """Set several traits at once, checked together at the end (traitlets' context manager).

        A refusal at the end (``p`` and ``q`` of different lengths) restores all three traits;
        traitlets alone rolls back only after a ``TraitError``.

        Yields
        ------
        None
            Inside the block, set ``p``, ``q`` and ``base``.

        Raises
        ------
        TypeError, ValueError
            As the traits' checks, at the end of the block.
        """
        if self._cross_validation_lock:
            yield
            return
        before = {name: self._trait_values.get(name) for name in ("p", "q", "base")}
        try:
            with super().hold_trait_notifications():
                yield
        except (TypeError, ValueError):  # traitlets rolls back after a TraitError only
            with super().hold_trait_notifications():  # the old pair, checked together
                for name, value in before.items():
                    if value is not None:
                        self.set_trait(name, value)
            raise

    def __repr__(self) -> str:
        return f"EntropyKLExplorer(p={self.p!r}, q={self.q!r}, base={self.base!r})"

    def values(self) -> dict:
        """The numbers on display, as :func:`entropy_kl_values` of the normalised weights, with ``note``.

        Returns
        -------
        dict
            As :func:`entropy_kl_values`, plus ``note`` (the line shown when a weight is 0).
        """
        p = normalise_weights(self.p, "p", allow_zero=True)
        q = normalise_weights(self.q, "q", allow_zero=True)
        v = entropy_kl_values(p, q, self.base)
        v["note"] = _zero_note(("p", self.p), ("q", self.q))
        return v


# --------------------------------------------------------------------------- factories


def entropy_kl_explorer(
    p: ArrayLike = (0.5, 0.3, 0.2), q: ArrayLike = (0.2, 0.3, 0.5), base: float | None = 2, **kwargs: Any
) -> EntropyKLExplorer:
    """Interactive H(p), H(p, q) and KL(p || q) for two adjustable distributions: an :class:`EntropyKLExplorer`.

    One slider of unnormalised weight per outcome for ``p`` (data) and ``q``
    (model), normalised for display; a unit selector (bits / nats). Shows both
    distributions as bars and ``H(p, q) = H(p) + KL(p || q)`` as a stacked bar
    with ``log C`` marked, and the reverse ``KL(q || p)``.

    Parameters
    ----------
    p, q : sequence of float
        2 to 8 non-negative weights each (same length).
    base : float or None, default 2
        2 for bits, None or ``math.e`` for nats.
    **kwargs
        Passed on to :class:`EntropyKLExplorer`.

    Returns
    -------
    EntropyKLExplorer
        The anywidget; its traits ``p``, ``q`` and ``base`` hold the state and
        ``.values()`` the numbers on display (as :func:`entropy_kl_values`).

    Raises
    ------
    TypeError, ValueError
        As :func:`entropy_kl_values`; more than 8 outcomes.

    See Also
    --------
    entropy_kl_values
    entropy_explorer

    Notes
    -----
    Chapter 4 (cross-entropy and KL divergence).
    """
    return EntropyKLExplorer(p, q, base, **kwargs)


def entropy_explorer(
    p: ArrayLike = (0.5, 0.3, 0.2), base: float | None = 2, **kwargs: Any
) -> EntropyExplorer:
    """Interactive entropy of one distribution, against its maximum ``log C``: an :class:`EntropyExplorer`.

    One slider of unnormalised weight per outcome; bars of ``p``; a bar of
    ``H(p)`` inside the outline of ``log C`` (reached by the uniform
    distribution).

    Parameters
    ----------
    p : sequence of float
        2 to 8 non-negative weights.
    base : float or None, default 2
        2 for bits, None or ``math.e`` for nats.
    **kwargs
        Passed on to :class:`EntropyExplorer`.

    Returns
    -------
    EntropyExplorer
        The anywidget; its traits ``p`` and ``base`` hold the state and
        ``.values()`` the numbers on display (as :func:`entropy_values`).

    Raises
    ------
    TypeError, ValueError
        As :func:`entropy_values`; more than 8 outcomes.

    See Also
    --------
    entropy_values
    entropy_kl_explorer

    Notes
    -----
    Chapter 3 (entropy).
    """
    return EntropyExplorer(p, base, **kwargs)
