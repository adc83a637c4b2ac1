"""Claim files: the TOML schema (``format = 1``), validation with file:line errors, and the results of a run.

``load(path)`` returns a validated ``Claim`` or raises ``InvalidClaim``;
``lenet.checks.run(claim, check)`` runs one of its check tables. Modules:
``schema`` (every key, declared once; renders docs/claims.md), ``loader``,
``claim`` (the dataclasses), ``lines`` (key line numbers), ``addresses``
(unit address validation), ``outcome`` (verdict + expect -> pass/fail/xfail),
``rows`` (one result row per item, Holm, the JSON document), ``text`` (the
terminal tables and failure texts), ``provenance`` (versions, checksums, git)
and ``merge`` (sharded runs joined).
"""

from __future__ import annotations

from ..errors import InvalidClaim
from .claim import CheckTable, Claim, SeedsTable
from .loader import display_path, find, load

__all__ = ["Claim", "CheckTable", "SeedsTable", "InvalidClaim", "load", "find", "display_path"]
