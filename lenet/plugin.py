"""pytest glue for lenet-claims: options (the ``claims`` group),
claim-file collection, outcomes and the run summary.

Only translation between pytest and the library lives here; claim files are
read by ``lenet.claims``, checks run by ``lenet.run.dispatch.run`` (imported when an
item runs, so importing this plugin never imports torch), results kept as
``lenet.run.rows`` and printed by ``lenet.run.text``.

- Claim files are the ``*.toml`` files under the ``claims_dirs`` ini folders
  (default ``claims``, relative to the rootdir) and files named on the command
  line; ``pyproject.toml`` and friends are never collected.
- Each check table is one item, ``claims/<file>.toml::<check>``; tags become
  markers. A file that does not validate is one failing item,
  ``claims/<file>.toml::validate``, so the other files still run. A ``[seeds]``
  table adds ``claims/<file>.toml::seeds`` (``lenet.run.seeds``): every check on
  each seed, "holds on k of n seeds". ``--claims-seeds`` replaces its list,
  ``--claims-shard K/N`` runs a part of it (the check items run in shard 1
  only; ``lenet merge`` joins the shards' JSON), ``--claims-retrain`` trains
  the seeds again. Seeds to train are trained before the first item, with
  progress shown (under pytest-xdist, by the controller before it hands out
  items).
- Results travel in ``item.user_properties`` (JUnit XML properties, and the
  way they reach the pytest-xdist controller); the summary table, Holm
  p-values and ``--claims-json`` are produced once, on the controller.

Options have ini equivalents; the MNIST root and cache dir are exported as
environment variables, so library code, subprocesses and workers agree.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

import pytest

OPTIONS = {
    # option dest: (flag, ini name, environment variable, help)
    "claims_mnist_root": (
        "--claims-mnist-root",
        "claims_mnist_root",
        "LENET_MNIST_ROOT",
        "MNIST in torchvision layout (default: $LENET_MNIST_ROOT, else ./data)",
    ),
    "claims_cache_dir": (
        "--claims-cache-dir",
        "claims_cache_dir",
        "LENET_CACHE_DIR",
        "checkpoint cache (default: $LENET_CACHE_DIR, else ~/.cache/lenet-claims)",
    ),
}
RUN_OPTIONS = {
    # option dest (= ini name): (flag, metavar, help); values are paths.
    "claims_checkpoint": (
        "--claims-checkpoint",
        "PATH",
        "check every claim on this checkpoint file instead of its seed or checkpoint",
    ),
    "claims_json": (
        "--claims-json",
        "PATH",
        "write machine-readable results with provenance (schema: docs/claims-json.md)",
    ),
    "claims_report": ("--claims-report", "PATH", "write an HTML report of the claims run"),
}
SEED_OPTIONS = {
    # option dest (= ini name): (flag, metavar, help)
    "claims_seeds": (
        "--claims-seeds",
        "SEEDS",
        "check claims with a [seeds] table on these seeds instead of its list (0-9, 0,2,5); "
        "min_holding keeps the file's fraction, rounded up: ceil(min_holding x given / listed)",
    ),
    "claims_shard": (
        "--claims-shard",
        "K/N",
        "check only shard K of N of each claim's seeds (every N-th seed, from the K-th); the "
        "check items run in shard 1 only. Join the shards' --claims-json files with `lenet merge`",
    ),
}
PROPERTY = "lenet_claims"  # the user property carrying an item's result row (``Row.as_dict()`` as JSON)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("claims", "lenet-claims: interpretability claims")
    for dest, (flag, ini, _env, help_text) in OPTIONS.items():
        group.addoption(flag, dest=dest, metavar="DIR", help=help_text)
        parser.addini(ini, help=f"{help_text}; the {flag} option wins")
    for dest, (flag, metavar, help_text) in RUN_OPTIONS.items():
        group.addoption(flag, dest=dest, metavar=metavar, help=help_text)
        parser.addini(dest, help=f"{help_text} (relative to the rootdir); the {flag} option wins")
    for dest, (flag, metavar, help_text) in SEED_OPTIONS.items():
        group.addoption(flag, dest=dest, metavar=metavar, help=help_text)
        parser.addini(dest, help=f"{help_text}; the {flag} option wins")
    group.addoption(
        "--claims-retrain",
        dest="claims_retrain",
        action="store_true",
        help="train every seed of the ::seeds items again, even committed or cached "
        "ones (about a minute each on 2 cores); retrained reference seeds must "
        "equal the committed weights on the machine kind that made them",
    )
    parser.addini(
        "claims_dirs",
        type="args",
        default=["claims"],
        help="folders (relative to the rootdir) whose *.toml files are claim files (default: claims)",
    )


def _path_option(config: pytest.Config, dest: str) -> str | None:
    """An option's path made absolute: the command line relative to where pytest ran,
    the ini relative to the rootdir."""
    if config.getoption(dest):
        return str((config.invocation_params.dir / config.getoption(dest)).resolve())
    if config.getini(dest):
        return str((config.rootpath / config.getini(dest)).resolve())
    return None


_PROJECT = pytest.StashKey()  # the project root in use before this run's


def pytest_configure(config: pytest.Config) -> None:
    from lenet import project

    # the project's subjects and concepts live here, unless $LENET_PROJECT_ROOT says otherwise
    config.stash[_PROJECT] = project.use(config.rootpath)
    for dest, (_flag, ini, env, _) in OPTIONS.items():
        if config.getoption(dest):
            os.environ[env] = str((config.invocation_params.dir / config.getoption(dest)).resolve())
        elif config.getini(ini):
            os.environ[env] = str((config.rootpath / config.getini(ini)).resolve())
        elif os.environ.get(env):  # absolute, so subprocesses started elsewhere see the same place
            os.environ[env] = str((config.invocation_params.dir / os.environ[env]).resolve())
    config.pluginmanager.register(ClaimsRun(config), "lenet-claims-run")


def pytest_unconfigure(config: pytest.Config) -> None:
    from lenet import project

    if _PROJECT in config.stash:
        project.use(config.stash[_PROJECT])  # an in-process run (pytester) puts back the outer run's root


def _seed_options(config: pytest.Config) -> dict:
    """``--claims-seeds``, ``--claims-shard``
    (else their ini values) as given, checked; bad values are usage errors."""
    from lenet.errors import LenetError
    from lenet.options import parse_seeds, parse_shard

    given = {dest: config.getoption(dest) or config.getini(dest) or None for dest in SEED_OPTIONS}
    try:
        parsed = {
            "claims_seeds": parse_seeds(given["claims_seeds"]) if given["claims_seeds"] else None,
            "claims_shard": parse_shard(given["claims_shard"]) if given["claims_shard"] else None,
        }
    except LenetError as err:
        raise pytest.UsageError(f"lenet-claims: {err}") from None
    return {"given": given, **parsed}


def _is_claim_file(config: pytest.Config, path: Path) -> bool:
    path = path.resolve()
    named = {(config.invocation_params.dir / arg.split("::")[0]).resolve() for arg in config.args}
    dirs = [(config.rootpath / d).resolve() for d in config.getini("claims_dirs")]
    return path in named or any(path.is_relative_to(d) for d in dirs)


def pytest_collect_file(file_path: Path, parent: pytest.Collector):
    if file_path.suffix == ".toml" and _is_claim_file(parent.config, file_path):
        return ClaimFile.from_parent(parent, path=file_path)
    return None


def _label(item: pytest.Item) -> str:
    """The failure header, ``claims/a.toml [selectivity]``;
    not a suffix of the node id, so pytest shows node ids as they are."""
    return f"{item.nodeid.split('::')[0]} [{item.name}]"


class ClaimFailure(Exception):
    """A claim item failed for a reason the user can act on; shown as its message, without a traceback."""


class ClaimFile(pytest.File):
    """One claim file: one item per check table, or one failing ``validate`` item."""

    def collect(self):
        from lenet.claims import load
        from lenet.errors import LenetError

        try:
            claim = load(self.path, self.config.rootpath)
        except LenetError as err:
            yield InvalidClaimItem.from_parent(self, name="validate", message=str(err))
            return
        run = self.config.pluginmanager.get_plugin("lenet-claims-run")
        marks = []
        for tag in claim.tags:
            if tag not in run.tags:  # registered, so --strict-markers accepts it and --markers lists it
                self.config.addinivalue_line("markers", f"{tag}: claim tag (lenet-claims)")
                run.tags.add(tag)
            marks.append(getattr(pytest.mark, tag))
        items = [ClaimItem.from_parent(self, name=name, claim=claim, check=name) for name in claim.checks]
        if claim.seeds is not None:
            items.append(SeedsItem.from_parent(self, name="seeds", claim=claim))
        elif run.seeds["claims_seeds"]:
            run.unseeded.append(claim.id)
        for item in items:
            for mark in marks:
                item.add_marker(mark)
            yield item


class _Base(pytest.Item):
    def _record(self, result) -> None:
        """Attach the item's ``Row`` as user properties: a few fields for JUnit XML, the whole row as JSON."""
        from lenet.run.rows import dumps

        for key in (
            "claim_id",
            "check",
            "outcome",
            "status",
            "statistic",
            "low",
            "high",
            "threshold",
            "p",
            "checkpoint_sha256",
        ):
            if getattr(result, key) is not None:
                self.user_properties.append((f"claims_{key}", getattr(result, key)))
        self.user_properties.append((PROPERTY, dumps(result.as_dict())))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ClaimFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)


class InvalidClaimItem(_Base):
    """Stands for a claim file that does not validate: fails with the validation errors."""

    def __init__(self, *, message: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.message = message

    def runtest(self) -> None:
        from lenet.run.rows import Row

        self._record(
            Row.from_check(
                self.nodeid,
                None,
                "validate",
                status="failed",
                headline="INVALID claim file",
                error=self.message,
            )
        )
        raise ClaimFailure(
            f"{self.message}\nvalidate: INVALID claim file; fix it "
            f"(docs/claims.md), then `lenet validate {self.nodeid.split('::')[0]}`."
        )

    def reportinfo(self):
        return self.path, 0, _label(self)


class ClaimItem(_Base):
    """One check table of one claim."""

    def __init__(self, *, claim, check: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.claim, self.check = claim, check

    def runtest(self) -> None:
        __tracebackhide__ = True
        from lenet.errors import LenetError
        from lenet.run import dispatch, text
        from lenet.run.outcome import item_status
        from lenet.run.rows import Row

        run = self.config.pluginmanager.get_plugin("lenet-claims-run")
        override = run.options.get("claims_checkpoint")
        rerun = text.rerun_command(self.nodeid, run.options)
        try:
            verdict = dispatch.run(self.claim, self.check, checkpoint=override)
        except LenetError as err:
            self._record(
                Row.from_check(
                    self.nodeid,
                    self.claim,
                    self.check,
                    status="failed",
                    headline="ERROR",
                    error=str(err),
                    checkpoint=override,
                )
            )
            failure = text.failure_text(self.claim, self.check, f"ERROR: {err}", None, rerun)
            raise ClaimFailure(failure) from None
        if not override:
            run.verdicts[self.claim.id, self.check] = (
                verdict  # the ::seeds item reuses it for the claim's own seed
            )
        judgement = item_status(verdict.outcome, self.claim.checks[self.check].expect)
        self._record(
            Row.from_check(
                self.nodeid,
                self.claim,
                self.check,
                status=judgement.status,
                headline=judgement.headline,
                verdict=verdict,
                checkpoint=override,
            )
        )
        if judgement.status == "xfailed":
            pytest.xfail(judgement.headline)
        if judgement.status == "failed":
            raise ClaimFailure(text.failure_text(self.claim, self.check, judgement.headline, verdict, rerun))

    def reportinfo(self):
        return self.path, self.claim.checks[self.check].line - 1, _label(self)


class SeedsItem(_Base):
    """``[seeds]``: every check of the claim on each seed
    (``lenet.run.seeds``); holds on at least ``min_holding`` of them."""

    def __init__(self, *, claim, **kwargs) -> None:
        super().__init__(**kwargs)
        self.claim = claim

    def plan(self):
        from lenet.run import seeds

        run = self.config.pluginmanager.get_plugin("lenet-claims-run")
        return seeds.plan(self.claim, run.seeds["claims_seeds"], run.seeds["claims_shard"])

    def runtest(self) -> None:
        __tracebackhide__ = True
        from lenet.run import seeds, text
        from lenet.run.rows import Row

        run = self.config.pluginmanager.get_plugin("lenet-claims-run")
        if run.options.get("claims_checkpoint"):
            pytest.skip("--claims-checkpoint checks one network file; [seeds] needs the seeds' networks")
        plan = self.plan()
        known = {
            check: run.verdicts[self.claim.id, check]
            for check in self.claim.checks
            if (self.claim.id, check) in run.verdicts
        }
        per_seed = []
        for seed in plan.run:
            retrained = seeds.retrain_once(seed, run.run_id) if run.retrain else None
            per_seed.append(
                seeds.run_seed(
                    self.claim,
                    seed,
                    plan.expensive,
                    known,
                    retrained=retrained,
                    confidence=plan.seed_confidence,
                )
            )
        result = Row.from_seeds(self.nodeid, self.claim, plan.as_dict(), per_seed)
        self._record(result)
        if result.status == "xfailed":
            pytest.xfail(result.headline)
        if result.status == "failed":
            rerun = text.rerun_command(self.nodeid, run.options)
            raise ClaimFailure(text.seeds_failure_text(self.claim, result, rerun))

    def reportinfo(self):
        return self.path, self.claim.seeds.line - 1, _label(self)


class ClaimsRun:
    """Run-wide state: collects result rows
    (on the controller only) and writes the summary, JSON and report."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.worker = hasattr(config, "workerinput")  # a pytest-xdist worker: the controller reports
        self.options = {dest: _path_option(config, dest) for dest in RUN_OPTIONS}
        self.options.update({dest: os.environ.get(env) for dest, (_, _, env, _) in OPTIONS.items()})
        self.seeds = _seed_options(config)
        self.retrain = bool(config.getoption("claims_retrain"))
        self.options.update(self.seeds["given"], claims_retrain=self.retrain)
        # one id per test run, shared with pytest-xdist workers (as its --testrunuid): --claims-retrain
        # retrains each seed once per run
        if self.worker:
            self.run_id = config.workerinput["testrunuid"]
        else:
            self.run_id = getattr(config.option, "testrunuid", None) or uuid.uuid4().hex
            if hasattr(config.option, "testrunuid"):
                config.option.testrunuid = self.run_id
        # (claim id, check) -> Verdict of this process's check items, for the ::seeds items
        self.verdicts: dict = {}
        self.unseeded: list[str] = []  # claims without [seeds] while --claims-seeds was given
        self.prepared = False  # seeds trained (or retrained) before the first item
        self.rows: list = []  # lenet.run.rows.Row of every item, on the controller
        self.written: list[str] = []
        self.tags: set[str] = set()  # claim tags registered as markers so far

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list) -> None:
        """Shards after the first leave the claims' own check items to shard 1,
        so merged shards hold each once."""
        shard = self.seeds["claims_shard"]
        if shard is None or shard[0] == 1:
            return
        deselected = [item for item in items if isinstance(item, ClaimItem)]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = [item for item in items if not isinstance(item, ClaimItem)]

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Train (or retrain) the seeds the ::seeds items need before they run,
        with progress on the terminal."""
        if not self.worker:  # under pytest-xdist the controller does it, once the first worker has collected
            self._prepare(
                [(item.claim.subject, item.plan()) for item in session.items if isinstance(item, SeedsItem)]
            )

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node, ids: list[str]) -> None:
        """pytest-xdist's controller:
        prepare the seeds of the ::seeds items a worker collected, before any item runs."""
        from lenet.claims import load
        from lenet.errors import LenetError
        from lenet.run import seeds

        if self.prepared:
            return
        plans = []
        for nodeid in ids:
            if nodeid.endswith("::seeds"):
                try:
                    claim = load(self.config.rootpath / nodeid.split("::")[0], self.config.rootpath)
                except LenetError:
                    continue  # the workers report it
                plans.append(
                    (claim.subject, seeds.plan(claim, self.seeds["claims_seeds"], self.seeds["claims_shard"]))
                )
        self._prepare(plans)

    def _prepare(self, plans: list) -> None:
        if self.prepared or self.config.option.collectonly or self.options.get("claims_checkpoint"):
            return
        self.prepared = True
        import sys

        from lenet.run.seeds import prepare

        capture = self.config.pluginmanager.getplugin("capturemanager")
        for subject in dict.fromkeys(name for name, _ in plans):
            needed = list(dict.fromkeys(seed for name, plan in plans if name == subject for seed in plan.run))
            if needed:
                with capture.global_and_fixture_disabled():
                    prepare(needed, sys.stderr, self.run_id if self.retrain else None, subject)

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.worker or report.when != "call":
            return
        from lenet.run.rows import Row

        found = [json.loads(value) for key, value in report.user_properties if key == PROPERTY]
        self.rows += [Row.from_dict(values) for values in found]

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.worker:
            return
        if self.retrain:
            from lenet.paths import cache_dir

            shutil.rmtree(cache_dir() / "retrain" / self.run_id, ignore_errors=True)
        if not (self.rows or self.options["claims_json"]):
            return
        from lenet.run import provenance, rows

        self.rows = rows.with_holm(self.rows)
        if self.options["claims_json"] or self.options["claims_report"]:
            made = provenance.of_run(self.options, list(self.config.invocation_params.args))
            document = rows.document(self.rows, made)
            if self.options["claims_json"]:
                path = Path(self.options["claims_json"])
                path.parent.mkdir(parents=True, exist_ok=True)  # a new folder is made, not a traceback
                path.write_text(rows.dumps(document, indent=2) + "\n")
                self.written.append(f"claims JSON: {self.options['claims_json']}")
            if self.options["claims_report"]:
                self.written.append(self._html(document, self.options["claims_report"]))

    @staticmethod
    def _html(document: dict, path: str) -> str:
        """The HTML report (``lenet.report.html``): one self-contained page of the run."""
        from lenet.report.html import write_html

        write_html(document, path)
        return f"claims report: {path}"

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.worker or not self.rows:
            return
        from lenet.run.text import run_summary_lines

        terminalreporter.write_sep("=", "lenet-claims summary")
        lines = run_summary_lines(self.rows)
        if self.unseeded:
            lines += [
                "",
                f"--claims-seeds: {len(self.unseeded)} claim(s) have no [seeds] "
                f"table and ran on their own seed only ({', '.join(self.unseeded)}); "
                "add [seeds] with min_holding to check them across seeds.",
            ]
        for line in lines + self.written:
            terminalreporter.write_line(line)
