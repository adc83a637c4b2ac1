"""The user's project: the folder whose ``claims/``, concepts and subject declarations a run reads.

The root is, in order: a folder given explicitly (``--project``), ``$LENET_PROJECT_ROOT``, the
folder the pytest plugin was told about (pytest's rootdir, through ``use``), else the nearest folder
at or above the working directory holding ``claims/`` or a ``pyproject.toml``. Subjects are declared
in the root's ``lenet.toml`` (``[subjects.NAME]``) or its ``pyproject.toml``
(``[tool.lenet.subjects.NAME]``); ``subject_tables`` reads them (``lenet.declared`` checks them).
"""

from __future__ import annotations

import os
from pathlib import Path

import tomllib

from .errors import InvalidConfig

__all__ = ["ENV", "root", "use", "subject_tables"]

ENV = "LENET_PROJECT_ROOT"
_used: Path | None = None  # set by the pytest plugin to pytest's rootdir


def use(folder: str | os.PathLike | None) -> Path | None:
    """Make ``folder`` the project root when neither ``--project`` nor ``$LENET_PROJECT_ROOT`` names one;
    returns the one it replaces (a nested pytest run puts it back)."""
    global _used
    previous, _used = _used, None if folder is None else Path(folder).resolve()
    return previous


def root(project: str | os.PathLike | None = None) -> Path:
    """The project root (see the module docstring)."""
    if project is not None:
        return Path(project).resolve()
    if os.environ.get(ENV):
        return Path(os.environ[ENV]).resolve()
    if _used is not None:
        return _used
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "claims").is_dir() or (folder / "pyproject.toml").is_file():
            return folder
    return here


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise InvalidConfig(f"{path}: not valid TOML ({err}); fix the file.") from None


def subject_tables(project: str | os.PathLike | None = None) -> dict[str, tuple[Path, dict]]:
    """Every subject the project declares: name -> (the file declaring it, its table)."""
    folder = root(project)
    found: dict[str, tuple[Path, dict]] = {}
    for path, keys in (
        (folder / "lenet.toml", ("subjects",)),
        (folder / "pyproject.toml", ("tool", "lenet", "subjects")),
    ):
        if not path.is_file():
            continue
        table = _read(path)
        for key in keys:
            table = table.get(key, {}) if isinstance(table, dict) else {}
        if not isinstance(table, dict):
            raise InvalidConfig(
                f"{path}: [{'.'.join(keys)}] must be a table of subjects; see docs/subjects.md."
            )
        for name, declared in table.items():
            if name in found:
                raise InvalidConfig(
                    f"subject {name!r} is declared twice, in {found[name][0]} and {path}; keep one."
                )
            if not isinstance(declared, dict):
                raise InvalidConfig(
                    f"{path}: [{'.'.join(keys)}.{name}] must be a table (model = ..., data = ..., ...); "
                    "see docs/subjects.md."
                )
            if name == "lenet-mnist":
                raise InvalidConfig(f"{path}: subject name {name!r} is built in; give yours another name.")
            found[name] = (path, declared)
    return found
