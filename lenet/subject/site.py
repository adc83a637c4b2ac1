"""Where on a layer a unit is read and edited: its *site*.

- ``pre``: the layer's output before its nonlinearity (a LeNet unit's pre-activation, which can
  be negative);
- ``post``: after the nonlinearity, what the next layer reads (LeNet: the ReLU; a conv channel's
  rectified map before pooling, then reduced to its spatial mean). The logits have no
  nonlinearity, so there the two sites are the same values.

Selectivity, selection, baselines, matching, pictures and the ``mean`` ablation all read the
claim's site: a unit that orders negative values the next layer never sees is not selective
where it matters. Format-2 claim files default to ``post``; format-1 files mean ``pre``.
"""

from __future__ import annotations

from ..errors import InvalidConfig

__all__ = ["SITES", "PRE", "POST", "DEFAULT", "check_site", "describe"]

PRE, POST = "pre", "post"
SITES = (PRE, POST)
DEFAULT = POST  # of a format-2 claim file

_WORDS = {
    PRE: "before the layer's nonlinearity (pre-activation)",
    POST: "after the layer's nonlinearity (what the next layer reads)",
}


def check_site(site: str) -> str:
    """``site`` itself if it is ``pre`` or ``post``; otherwise an error naming both."""
    if site not in SITES:
        raise InvalidConfig(
            f"site={site!r} is unknown; use 'post' (after the nonlinearity: what the next layer reads) "
            "or 'pre' (before it)."
        )
    return site


def describe(site: str) -> str:
    """``post (after the layer's nonlinearity ...)``: a site in words, for reports and docs."""
    return f"{site} ({_WORDS[check_site(site)]})"
