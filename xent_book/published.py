"""Published numbers the book quotes, each with its paper and exact place.

One home for every figure taken from the literature, so that a reviewer can
check them all at once against the papers. A chapter reads a number from here
and glues it into its prose next to the ``{cite}`` of the same key::

    from xent_book.published import PUBLISHED
    r = PUBLISHED["lin2017focal.coco.ap_balanced_ce"]
    glue("lin_ap_bce", r.value, display=False)
    # prose: ... {glue:text}`lin_ap_bce:.1f` ... ({cite}`lin2017focal`, Table 1a)

Each entry is a :class:`Result`: the value exactly as printed in the paper
(same units: a percentage stays a percentage), the BibTeX key of the paper in
``references.bib``, and where in the paper it stands (table or figure, row,
column). Add an entry only after reading the number in the paper itself.

See Also
--------
references.bib : The bibliography the keys refer to.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Result:
    """One published number.

    Attributes
    ----------
    value : float
        The number as the paper prints it (its units, its rounding).
    cite : str
        BibTeX key in ``references.bib``.
    where : str
        Its exact place: table or figure, row and column.
    units : str
        What the number measures and in which units (for example "ECE, %").
    """

    value: float
    cite: str
    where: str
    units: str = ""


#: Every published number the chapters quote, by a dotted key
#: ``<citekey>.<setting>.<quantity>``. Keep the keys sorted by paper.
PUBLISHED: dict[str, Result] = {
    # -- Chowdhery et al. 2022, PaLM ------------------------------------------
    "chowdhery2022palm.training.z_loss_coefficient": Result(
        1e-4,
        "chowdhery2022palm",
        "section 5 'Training Setup', item 'Loss function': 'an auxiliary loss of z_loss = 10^-4 * log^2 Z "
        "to encourage the softmax normalizer log(Z) to be close to 0' (read in the paper text, arXiv "
        "2204.02311, ch 15 review)",
        "coefficient of the penalty (log Z)^2 added to the mean token loss",
    ),
    # -- Gemma Team 2024, Gemma 2 ---------------------------------------------
    "gemma2024.architecture.soft_cap_attention": Result(
        50.0,
        "gemma2024",
        "section 2 'Model Architecture', paragraph 'Logit soft-capping': 'We set the soft_cap parameter to "
        "50.0 for the self-attention layers and to 30.0 for the final layer' (read in the paper text, arXiv "
        "2408.00118, ch 15 review)",
        "cap c of logits <- c * tanh(logits / c), self-attention logits",
    ),
    "gemma2024.architecture.soft_cap_final": Result(
        30.0,
        "gemma2024",
        "section 2 'Model Architecture', paragraph 'Logit soft-capping' (same sentence as soft_cap_attention)",
        "cap c of logits <- c * tanh(logits / c), final-layer (output) logits",
    ),
    # -- Guo et al. 2017, On calibration of modern neural networks ----------
    "guo2017calibration.cifar100_resnet110.ece_before": Result(
        16.53,
        "guo2017calibration",
        "Table 1, row CIFAR-100 ResNet 110, column Uncalibrated (read in the paper text, arXiv 1706.04599v2, "
        "ch 9-11 review)",
        "ECE, %, 15 bins",
    ),
    "guo2017calibration.cifar100_resnet110.ece_temperature": Result(
        1.26,
        "guo2017calibration",
        "Table 1, row CIFAR-100 ResNet 110, column Temp. Scaling (read in the paper text, arXiv 1706.04599v2, "
        "ch 9-11 review)",
        "ECE, %, 15 bins",
    ),
    # -- Lin et al. 2017, Focal loss -----------------------------------------
    "lin2017focal.coco.gamma": Result(
        2.0, "lin2017focal", "Table 1b, row gamma = 2.0, alpha = 0.25 (the best AP)", "focusing parameter"
    ),
    "lin2017focal.coco.alpha": Result(
        0.25,
        "lin2017focal",
        "Table 1b, row gamma = 2.0, alpha = 0.25 (the best AP)",
        "weight of the rare foreground class",
    ),
    "lin2017focal.coco.ap_focal": Result(
        34.0,
        "lin2017focal",
        "Table 1b, row gamma = 2.0, alpha = 0.25, column AP (ResNet-50, 600 px, COCO minival)",
        "AP, %",
    ),
    "lin2017focal.coco.ap_balanced_ce": Result(
        31.1, "lin2017focal", "Table 1a, row alpha = 0.75 (the best alpha-balanced CE), column AP", "AP, %"
    ),
    # -- Mukhoti et al. 2020, Calibrating deep neural networks using focal loss
    "mukhoti2020focal.cifar10_resnet50.ece_ce": Result(
        4.35,
        "mukhoti2020focal",
        "Table 1, CIFAR-10 ResNet-50, column cross-entropy, ECE before temperature scaling",
        "ECE, %",
    ),
    "mukhoti2020focal.cifar10_resnet50.ece_flsd53": Result(
        1.55,
        "mukhoti2020focal",
        "Table 1, CIFAR-10 ResNet-50, column FLSD-53, ECE before temperature scaling",
        "ECE, %",
    ),
    # -- Müller et al. 2019, When does label smoothing help? -----------------
    # No number: Table 3 (ECE of CIFAR-100 ResNet-56 and others) could not be read in the
    # paper's text through the search corpora, so chapter 11 quotes the text instead ("By
    # training the same model with alpha = 0.05 ... we obtain a model that is similarly
    # calibrated compared to temperature scaling"). Add its values here only after
    # reading the table itself.
    # -- Vaswani et al. 2017, Attention is all you need -----------------------
    "vaswani2017.transformer.label_smoothing": Result(
        0.1,
        "vaswani2017",
        "section 5.4 'Regularization', paragraph 'Label Smoothing': 'we employed label smoothing of value "
        "epsilon_ls = 0.1. This hurts perplexity, as the model learns to be more unsure, but improves "
        "accuracy and BLEU score' (read in the paper text, arXiv 1706.03762, ch 15 review)",
        "label-smoothing value epsilon_ls",
    ),
    # -- Wijmans et al. 2024, Cut your losses (Cut Cross-Entropy) -----------
    # Gemma 2 (2B): 8,192 tokens, C = 256,000, d = 2,304, bf16, on an A100. The
    # "MB" of the table are binary: one bf16 logit matrix, 8192 * 256000 * 2
    # bytes, is printed as 4,000 MB (torch.compile, loss forward).
    "wijmans2024cce.gemma2.baseline_loss_forward_mb": Result(
        24000.0,
        "wijmans2024cce",
        "Table 1, row 'Baseline', column 'Loss' (memory): the forward pass of the loss alone; abstract: "
        "'24 GB'. Same value in the repository's benchmark output (apple/ml-cross-entropy README, "
        "'baseline loss-fw 24000.0')",
        "peak memory of the loss op, MB (MiB)",
    ),
    "wijmans2024cce.gemma2.baseline_loss_fwbw_mb": Result(
        28000.0,
        "wijmans2024cce",
        "Table 1, row 'Baseline', column 'Loss+Gradient' (memory): forward and backward; abstract: "
        "'28 GB' for the classifier head's training-time memory (README: 'baseline loss-fw-bw 28000.0')",
        "peak memory of the loss op with its backward pass, MB (MiB)",
    ),
    "wijmans2024cce.gemma2.cce_loss_forward_mb": Result(
        1.0,
        "wijmans2024cce",
        "abstract ('from 24 GB to 1 MB'); Table 1, row 'CCE (Ours)', column 'Loss' (README: 'cce loss-fw 1.1')",
        "peak memory of the loss op, MB",
    ),
    "wijmans2024cce.gemma2.cce_loss_fwbw_mb": Result(
        1164.0,
        "wijmans2024cce",
        "Table 1, row 'CCE (Ours)', column 'Loss+Gradient' (memory); abstract: '1 GB' "
        "(README: 'cce loss-fw-bw 1164.0')",
        "peak memory of the loss op with its backward pass, MB (MiB)",
    ),
    # -- Zhang & Sabuncu 2018 (GCE), Wang et al. 2019 (SCE) -----------------
}


def get(key: str) -> Result:
    """Return the published result stored under ``key``.

    Raises
    ------
    TypeError
        If ``key`` is not a string.
    ValueError
        If no result is stored under ``key``; the message lists the keys stored for the same paper.
    """
    if not isinstance(key, str):
        raise TypeError(
            f"key: expected a string such as 'guo2017calibration.cifar100_resnet110.ece', "
            f"got {type(key).__name__}"
        )
    try:
        return PUBLISHED[key]
    except KeyError:
        close = [k for k in PUBLISHED if k.split(".")[0] == key.split(".")[0]]
        raise ValueError(f"key: no published result {key!r}; stored for this paper: {close}") from None
