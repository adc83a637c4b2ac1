"""A trial's subject: the network under calibration seen through a resample of its confirmation split.

Calibration runs a claim's checks, through the dispatcher, thousands of times on one network. Each trial
draws confirmation images with replacement (``rows``, indices of the network's test split; the true effect
is the whole split's) and may name its own concepts (e.g. a random half of one class). The view answers
every measurement by indexing the network's cached whole-split values and by intervening on the drawn rows
only, so a trial costs what its images cost, and the check code is exactly what a claim file runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from ..subject.subject import CONFIRMATION, DISCOVERY, Subject

if TYPE_CHECKING:
    from ..subject.units import UnitSet

__all__ = ["TrialSubject"]


class TrialSubject(Subject):
    """``base`` with its confirmation split replaced by ``base``'s test images ``rows`` (repeats allowed) and
    concepts ``concepts`` (name -> {split: indices}; test indices are positions in ``rows``).

    ``discovery``: optionally the discovery split cut to those train images too (train indices are then
    positions in it), so that a network met once (an untrained one a ``select`` rule runs in) is measured
    on the images its rule reads, not on all 60,000."""

    #: discovery-split sweeps shared by every view of a network (a `select` rule by ablation reads one per
    #: trial): (key, layer, method, output, site) -> (U, N)
    _discovery_sweeps: dict = {}

    def __init__(
        self,
        base: Subject,
        rows: np.ndarray,
        concepts: dict[str, dict[str, np.ndarray]] | None = None,
        compute_values: bool = False,
        discovery: np.ndarray | None = None,
    ):
        self.base, self.rows = base, np.asarray(rows, dtype=np.int64)
        self.discovery = None if discovery is None else np.asarray(discovery, dtype=np.int64)
        self._concepts = concepts or {}
        # compute_values: measure the drawn images themselves instead of indexing the base's whole-split
        # values (cheaper for a network met once, e.g. one of many untrained networks)
        self._compute, self._values = compute_values, {}

    # identity: the base network's (caches keyed by weights stay valid; the rows are in every key that
    # reads images)
    @property
    def name(self) -> str:
        return f"{self.base.name} ({len(self.rows)} drawn test images)"

    @property
    def key(self) -> str:
        return self.base.key

    @property
    def layers(self):
        return self.base.layers

    @property
    def classes(self):
        return self.base.classes

    def _rows_of(self, split: str) -> np.ndarray | None:
        """The base split's images this view shows (None: all of them)."""
        return self.rows if split == CONFIRMATION else self.discovery if split == DISCOVERY else None

    def split(self, name: str):
        split, rows = self.base.split(name), self._rows_of(name)
        if rows is None:
            return split
        return type(split)(f"{split.name}[drawn]", split.images[rows], split.labels[rows])

    def members(self, concept: str, split: str) -> np.ndarray:
        if concept in self._concepts:
            return np.asarray(self._concepts[concept][split])
        found, rows = self.base.members(concept, split), self._rows_of(split)
        if rows is None:
            return found
        return np.flatnonzero(np.isin(rows, found))  # the drawn rows that are the concept's images

    def values(self, layer: str, split: str, *, site: str) -> np.ndarray:
        rows = self._rows_of(split)
        if rows is None:
            return self.base.values(layer, split, site=site)
        if not self._compute:
            return self.base.values(layer, split, site=site)[rows]
        if (layer, site, split) not in self._values:
            images = self.split(split).images
            self._values[layer, site, split] = self.base.image_values(
                images, layer, site=site, batch=len(images)
            )
        return self._values[layer, site, split]

    def _whole_discovery(self, split: str, what: str) -> None:
        if split == DISCOVERY and self.discovery is not None:
            raise ValueError(
                f"TrialSubject.{what} on a cut discovery split is not supported: it measures values there "
                "only; make the view without discovery="
            )

    def outputs(self, split: str) -> np.ndarray:
        self._whole_discovery(split, "outputs")
        if split == CONFIRMATION and self._compute:
            return self.values(list(self.layers)[-1], split, site="pre")  # the last layer: the logits
        outputs = self.base.outputs(split)
        return outputs[self.rows] if split == CONFIRMATION else outputs

    def image_values(self, images, layer: str, *, site: str, batch: int = 2000) -> np.ndarray:
        return self.base.image_values(images, layer, site=site, batch=batch)

    def all_values(self, images, *, site: str):
        return self.base.all_values(images, site=site)

    def _mapped(self, split: str, options: dict) -> dict:
        """``options`` with rows and sources (positions in the drawn rows) as indices of the base split."""
        if split != CONFIRMATION:
            return options
        options = dict(options)
        rows = options.get("rows")
        options["rows"] = self.rows if rows is None else self.rows[np.asarray(rows)]
        if options.get("sources") is not None:
            options["sources"] = self.rows[np.asarray(options["sources"])]
        return options

    def intervene(
        self, units: UnitSet, method: str = "zero", split: str = CONFIRMATION, *, site: str, **options
    ):
        self._whole_discovery(split, "intervene")
        return self.base.intervene(units, method, split, site=site, **self._mapped(split, options))

    def sweep_damage(
        self, layer: str, method: str, output: str, split: str = CONFIRMATION, *, site: str, **options
    ):
        self._whole_discovery(split, "sweep_damage")
        if split != CONFIRMATION:
            if options:
                return self.base.sweep_damage(layer, method, output, split, site=site, **options)
            key = (self.base.key, layer, method, output, site, split)
            if key not in self._discovery_sweeps:
                self._discovery_sweeps[key] = self.base.sweep_damage(layer, method, output, split, site=site)
            return self._discovery_sweeps[key]
        options = dict(options)
        if options.get("sources") is not None:
            # the base sweep reads sources[rows], one per base image: a row drawn twice keeps one source, as
            # the same image would in a claim
            full = np.zeros(len(self.base.split(CONFIRMATION)), dtype=np.int64)
            full[self.rows] = self.rows[np.asarray(options["sources"])]
            options["sources"] = full
        if "rows" in options:
            raise ValueError("TrialSubject.sweep_damage takes no rows: it sweeps the drawn rows")
        return self.base.sweep_damage(layer, method, output, split, site=site, rows=self.rows, **options)

    def image_sweep_damage(self, images, labels, layer, method, output, *, site):
        return self.base.image_sweep_damage(images, labels, layer, method, output, site=site)

    def fresh(self, seed: int):
        return self.base.fresh(seed)

    def planted(self, plant, concept, contrast):
        return TrialSubject(
            self.base.planted(plant, concept, contrast),
            self.rows,
            self._concepts,
            self._compute,
            self.discovery,
        )

    @property
    def recorded_layers(self):
        return self.base.recorded_layers

    def record(self):
        return self.base.record()

    def perturb(self, images, perturbation):
        return self.base.perturb(images, perturbation)

    def layer_table(self):
        return self.base.layer_table()

    def concepts(self):
        return [*self._concepts, *self.base.concepts()]
