"""Claim files: the TOML schema (``format = 2``; format 1 is read as site "pre"), validation with file:line
errors, new files scaffolded.

``load(path)`` returns a validated ``Claim`` or raises ``InvalidClaim``;
``lenet.run.dispatch.run(claim, check)`` runs one of its check tables (the
results of a run are ``lenet.run``). Modules: ``schema`` (every key, declared
once; renders docs/claims.md), ``loader``, ``claim`` (the dataclasses),
``lines`` (key line numbers), ``addresses`` (unit address validation),
``scaffold`` (a new claim file's text) and ``docs`` (docs/claims.md).
"""

from __future__ import annotations

from ..errors import InvalidClaim
from .claim import CheckTable, Claim, SeedsTable
from .loader import display_path, find, load

__all__ = ["Claim", "CheckTable", "SeedsTable", "InvalidClaim", "load", "find", "display_path"]
