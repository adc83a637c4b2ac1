"""pytest glue for lenet-claims: options (the ``claims`` group), claim-file collection, outcomes and the run summary.

Only translation between pytest and the library lives here; claim files are
read by ``lenet.claims``, checks run by ``lenet.checks.run`` (imported when an
item runs, so importing this plugin never imports torch), results formatted by
``lenet.claims.results``.

- Claim files are the ``*.toml`` files under the ``claims_dirs`` ini folders
  (default ``claims``, relative to the rootdir) and files named on the command
  line; ``pyproject.toml`` and friends are never collected.
- Each check table is one item, ``claims/<file>.toml::<check>``; tags become
  markers. A file that does not validate is one failing item,
  ``claims/<file>.toml::validate``, so the other files still run.
- Results travel in ``item.user_properties`` (JUnit XML properties, and the
  way they reach the pytest-xdist controller); the summary table, Holm
  p-values and ``--claims-json`` are produced once, on the controller.

Options have ini equivalents; the MNIST root and cache dir are exported as
environment variables, so library code, subprocesses and workers agree.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

OPTIONS = {
    # option dest: (flag, ini name, environment variable, help)
    "claims_mnist_root": ("--claims-mnist-root", "claims_mnist_root", "LENET_MNIST_ROOT",
                          "MNIST in torchvision layout (default: $LENET_MNIST_ROOT, else ./data)"),
    "claims_cache_dir": ("--claims-cache-dir", "claims_cache_dir", "LENET_CACHE_DIR",
                         "checkpoint cache (default: $LENET_CACHE_DIR, else ~/.cache/lenet-claims)"),
}
RUN_OPTIONS = {
    # option dest (= ini name): (flag, metavar, help). The seeds issue adds --claims-seeds here.
    "claims_checkpoint": ("--claims-checkpoint", "PATH", "check every claim on this checkpoint file instead of its seed or checkpoint"),
    "claims_json": ("--claims-json", "PATH", "write machine-readable results with provenance (schema: docs/claims-json.md)"),
    "claims_report": ("--claims-report", "PATH", "write an HTML report of the claims run"),
}
PROPERTY = "lenet_claims"  # the user property carrying an item's result row (JSON)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("claims", "lenet-claims: interpretability claims")
    for dest, (flag, ini, env, help_text) in OPTIONS.items():
        group.addoption(flag, dest=dest, metavar="DIR", help=help_text)
        parser.addini(ini, help=f"{help_text}; the {flag} option wins")
    for dest, (flag, metavar, help_text) in RUN_OPTIONS.items():
        group.addoption(flag, dest=dest, metavar=metavar, help=help_text)
        parser.addini(dest, help=f"{help_text} (relative to the rootdir); the {flag} option wins")
    parser.addini("claims_dirs", type="args", default=["claims"],
                  help="folders (relative to the rootdir) whose *.toml files are claim files (default: claims)")


def _path_option(config: pytest.Config, dest: str) -> str | None:
    """An option's path made absolute: the command line relative to where pytest ran, the ini relative to the rootdir."""
    if config.getoption(dest):
        return str((config.invocation_params.dir / config.getoption(dest)).resolve())
    if config.getini(dest):
        return str((config.rootpath / config.getini(dest)).resolve())
    return None


def pytest_configure(config: pytest.Config) -> None:
    for dest, (flag, ini, env, _) in OPTIONS.items():
        if config.getoption(dest):
            os.environ[env] = str((config.invocation_params.dir / config.getoption(dest)).resolve())
        elif config.getini(ini):
            os.environ[env] = str((config.rootpath / config.getini(ini)).resolve())
        elif os.environ.get(env):  # absolute, so subprocesses started elsewhere see the same place
            os.environ[env] = str((config.invocation_params.dir / os.environ[env]).resolve())
    config.pluginmanager.register(ClaimsRun(config), "lenet-claims-run")


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
    """The failure header, ``claims/a.toml [selectivity]``; not a suffix of the node id, so pytest shows node ids as they are."""
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
        for name in claim.checks:
            item = ClaimItem.from_parent(self, name=name, claim=claim, check=name)
            for mark in marks:
                item.add_marker(mark)
            yield item
        # The seeds issue adds the `::seeds` item here when claim.seeds is set.


class _Base(pytest.Item):
    def _record(self, result: dict) -> None:
        from lenet.claims.results import dumps

        for key in ("claim_id", "check", "outcome", "status", "statistic", "low", "high", "threshold", "p", "checkpoint_sha256"):
            if result.get(key) is not None:
                self.user_properties.append((f"claims_{key}", result[key]))
        self.user_properties.append((PROPERTY, dumps(result)))

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
        from lenet.claims.results import row

        self._record(row(self.nodeid, None, "validate", "failed", "INVALID claim file", error=self.message))
        raise ClaimFailure(f"{self.message}\nvalidate: INVALID claim file; fix it (docs/claims.md), then `lenet validate {self.nodeid.split('::')[0]}`.")

    def reportinfo(self):
        return self.path, 0, _label(self)


class ClaimItem(_Base):
    """One check table of one claim."""

    def __init__(self, *, claim, check: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.claim, self.check = claim, check

    def runtest(self) -> None:
        __tracebackhide__ = True
        from lenet import checks
        from lenet.claims import results
        from lenet.claims.outcome import judge
        from lenet.errors import LenetError

        run = self.config.pluginmanager.get_plugin("lenet-claims-run")
        override = run.options.get("claims_checkpoint")
        rerun = results.rerun_command(self.nodeid, run.options)
        try:
            verdict = checks.run(self.claim, self.check, checkpoint=override)
        except LenetError as err:
            self._record(results.row(self.nodeid, self.claim, self.check, "failed", "ERROR", error=str(err), checkpoint=override))
            raise ClaimFailure(results.failure_text(self.claim, self.check, f"ERROR: {err}", None, rerun)) from None
        judgement = judge(verdict.outcome, self.claim.checks[self.check].expect)
        self._record(results.row(self.nodeid, self.claim, self.check, judgement.status, judgement.headline, verdict, checkpoint=override))
        if judgement.status == "xfailed":
            pytest.xfail(judgement.headline)
        if judgement.status == "failed":
            raise ClaimFailure(results.failure_text(self.claim, self.check, judgement.headline, verdict, rerun))

    def reportinfo(self):
        return self.path, self.claim.checks[self.check].line - 1, _label(self)


class ClaimsRun:
    """Run-wide state: collects result rows (on the controller only) and writes the summary, JSON and report."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.worker = hasattr(config, "workerinput")  # a pytest-xdist worker: the controller reports
        self.options = {dest: _path_option(config, dest) for dest in RUN_OPTIONS}
        self.options.update({dest: os.environ.get(env) for dest, (_, _, env, _) in OPTIONS.items()})
        self.rows: list[dict] = []
        self.written: list[str] = []
        self.tags: set[str] = set()  # claim tags registered as markers so far

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.worker or report.when != "call":
            return
        self.rows += [json.loads(value) for key, value in report.user_properties if key == PROPERTY]

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.worker or not (self.rows or self.options["claims_json"]):
            return
        from lenet.claims import results

        self.rows = results.with_holm(self.rows)
        if self.options["claims_json"] or self.options["claims_report"]:
            document = results.document(self.rows, self.options, list(self.config.invocation_params.args))
            if self.options["claims_json"]:
                Path(self.options["claims_json"]).write_text(results.dumps(document, indent=2) + "\n")
                self.written.append(f"claims JSON: {self.options['claims_json']}")
            if self.options["claims_report"]:
                self.written.append(self._html(document, self.options["claims_report"]))

    @staticmethod
    def _html(document: dict, path: str) -> str:
        """The HTML report, by ``lenet.report.write_html(document, path)`` once the report module exists."""
        try:
            from lenet.report import write_html
        except ImportError:
            return f"claims report: not written to {path}: this version of lenet-claims has no HTML report yet (lenet.report)"
        write_html(document, path)
        return f"claims report: {path}"

    def pytest_terminal_summary(self, terminalreporter) -> None:
        if self.worker or not self.rows:
            return
        from lenet.claims.results import summary_lines

        terminalreporter.write_sep("=", "lenet-claims summary")
        for line in summary_lines(self.rows) + self.written:
            terminalreporter.write_line(line)
