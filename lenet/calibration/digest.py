"""Which code a calibration result came from: a digest of every module that can change an outcome."""

from __future__ import annotations

import ast
import functools
import hashlib
from pathlib import Path

__all__ = ["OUTCOMES", "NOT_OUTCOMES", "code_digest", "run_digest"]

#: the modules an outcome can depend on: editing any of them (a check, a statistic, a subject, the claim
#: loader, the dispatcher, the seeds count, a cell) starts results afresh; editing commands, reports or
#: docs keeps them
OUTCOMES = (
    "stats/",
    "checks/",
    "subject/",
    "lenet_mnist/",
    "claims/",
    "run/dispatch.py",
    "run/seeds.py",
    "calibration/",
)
NOT_OUTCOMES = ("calibration/document.py", "claims/docs.py", "claims/scaffold.py", "lenet_mnist/commands/")


def _without_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:]
    return tree


def code_digest() -> str:
    """A digest of every lenet module that can change an outcome: results of other code are never reused."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        name = path.relative_to(root).as_posix()
        if not name.startswith(OUTCOMES) or name.startswith(NOT_OUTCOMES):
            continue
        digest.update(name.encode())
        # the syntax tree without docstrings, not the bytes: reformatting, comments and docstrings keep
        # results, a changed line does not
        digest.update(ast.dump(_without_docstrings(ast.parse(path.read_text()))).encode())
    return digest.hexdigest()[:16]


#: the digest of the code this process imported (it cannot change under a running process); pools use it
run_digest = functools.cache(code_digest)
