"""The subject registry: subject names to subject types (the built-in ``lenet-mnist`` and those the
project declares, ``lenet.declared``), and the one module outside ``lenet.lenet_mnist`` that imports it.

Code above the subject line (checks, claims, runs, the report, the CLI) reaches a
network through ``load`` and a subject type's class methods (``get(name)``:
``layer_table``, ``concepts``, ``data_checksums``, ``reference_seeds``,
``prepare``, ``retrain``, ``reference``, ``COMMANDS``; see ``lenet.subject.subject``).
An import contract (``[tool.importlinter]`` in pyproject.toml, run by
tests/test_layout.py) holds the line. The subject's module is imported when first
asked for, so importing this registry loads neither torch nor numpy.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from .errors import InvalidConfig

if TYPE_CHECKING:
    from .subject.layers import Layer
    from .subject.subject import Subject

__all__ = ["DEFAULT", "SUBJECTS", "get", "names", "load", "layers", "commands"]

DEFAULT = "lenet-mnist"  # what claim files, the plugin and the CLI check unless told otherwise


def _lenet_mnist() -> type[Subject]:
    from .lenet_mnist.subject import LenetMnist

    return LenetMnist


#: Subject name -> a function returning its type (the import happens on first use).
SUBJECTS: dict[str, Callable[[], type[Subject]]] = {"lenet-mnist": _lenet_mnist}


def get(name: str = DEFAULT) -> type[Subject]:
    """The subject type called ``name``: built in, or declared by the project (``lenet.project``);
    an unknown name lists the known ones."""
    if name in SUBJECTS:
        return SUBJECTS[name]()
    from . import project

    tables = project.subject_tables()
    if name not in tables:
        raise InvalidConfig(
            f"subject={name!r} is unknown; subjects are {', '.join([*SUBJECTS, *tables])}. Declare a subject "
            f"under [tool.lenet.subjects.{name}] in {project.root() / 'pyproject.toml'} (docs/subjects.md)."
        )
    from .declared.declaration import declaration
    from .declared.subject import subject_type

    file, table = tables[name]
    return subject_type(declaration(name, file, table, file.parent))


def names() -> list[str]:
    """Every subject name: the built-in ones, then the project's."""
    from . import project

    return [*SUBJECTS, *(n for n in project.subject_tables() if n not in SUBJECTS)]


def load(seed: int = 0, checkpoint: str | None = None, name: str = DEFAULT) -> Subject:
    """The subject ``name`` for a training seed (reference, cached, or trained now) or a checkpoint file."""
    return get(name).load(seed, checkpoint)


def layers(name: str = DEFAULT) -> Mapping[str, Layer]:
    """The layer table of subject type ``name``: unit addresses and layer names are checked against it."""
    return get(name).layer_table()


def commands(name: str = DEFAULT) -> dict[str, str]:
    """The ``lenet`` commands subject type ``name`` brings:
    command -> module (``HELP``, ``add_arguments``, ``run``)."""
    return dict(get(name).COMMANDS)
