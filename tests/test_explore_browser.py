"""`lenet explore` end to end in a real headless Chromium (pytest-playwright, Debian's chromium through
``executable_path``): open the app, rank linear-0 for crossed vs plain sevens, open the top unit, ask an
ablation and see its CI, save it as a claim and find a file on disk that the loader (`lenet validate`)
accepts. The server is uvicorn on 127.0.0.1 in a thread, over a temporary project.

Screenshots of the layer and unit views go to ``$LENET_SCREENSHOTS`` when set (docs/img/ for the README),
else to the test's temporary folder.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("LENET_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not CHROMIUM:
        pytest.fail(
            "no chromium to drive: install Debian's (sudo apt-get install -y chromium; .ci/run does) or set "
            "LENET_CHROMIUM to a Chromium binary",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": ["--no-sandbox"]}


@pytest.fixture(scope="module")
def server(mnist_root, tmp_path_factory):
    import uvicorn

    from lenet.explore.app import create_app
    from lenet.explore.server import HOST, free_port
    from lenet.explore.session import Session
    from lenet.lenet_mnist.subject import LenetMnist

    project = tmp_path_factory.mktemp("project")
    session = Session(LenetMnist.load(0), subject_name="lenet-mnist", seed=0, root=project, match_seeds=(1,))
    warm = {"layers": ["linear-0"], "progress": lambda line: None}  # the layer the test explores
    threading.Thread(target=session.warm_up, kwargs=warm, daemon=True).start()
    port = free_port(0)
    server = uvicorn.Server(uvicorn.Config(create_app(session), host=HOST, port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://{HOST}:{port}", project
    server.should_exit = True
    thread.join(10)
    session.painter.close()


def _shots(tmp_path) -> Path:
    folder = Path(os.environ.get("LENET_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_rank_open_ask_and_save_a_claim_in_a_real_browser(server, page, tmp_path):
    from lenet.claims import loader

    url, project = server
    shots = _shots(tmp_path)
    page.set_default_timeout(120_000)  # a first ranking computes the untrained networks' bar
    page.goto(url)
    page.select_option("#layer", "linear-0")
    page.select_option("#concept", "seven/crossed")
    page.select_option("#contrast", "seven/plain")
    page.click("#rank")
    page.wait_for_selector("a.unit-link")
    page.screenshot(path=str(shots / "explore-layer.png"), full_page=True)
    top = page.locator("a.unit-link").first
    name = top.inner_text()
    assert name.startswith("linear-0:")
    top.click()
    page.wait_for_selector("#unit-title")
    assert name in page.inner_text("#unit-title")
    page.wait_for_load_state("networkidle")  # the movie frame
    page.screenshot(path=str(shots / "explore-unit.png"), full_page=True)

    page.check("#ask-ablation")
    page.select_option("#ask-ablation-method", "zero")
    page.click("#ask")
    page.wait_for_selector("#answer table.criteria")
    ci = page.inner_text("#answer table.criteria tbody tr td:nth-child(4)")
    assert ci.startswith("[") and "," in ci, ci
    assert "exploration" in page.inner_text("#answer")

    page.fill("#claim-name", "browser-made")
    page.click("#save-claim")
    page.wait_for_selector(".saved-path")
    assert page.inner_text(".saved-path") == "claims/browser-made.toml"
    claim = loader.load(project / "claims" / "browser-made.toml", root=project)
    assert claim.units == name and "ablation" in claim.checks
