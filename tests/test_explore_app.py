"""`lenet explore`'s web app through Starlette's TestClient: every endpoint, bad input, the Host check, the
token, the confirmation-split refusal, and that answers are the library's own numbers on the discovery
split. Everything runs in a temporary project: the repository's claims/ is never written."""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np
import pytest
from starlette.testclient import TestClient

from lenet.explore import answers
from lenet.explore.app import create_app, safe_name
from lenet.explore.exploration import Exploration
from lenet.explore.painter import Painter
from lenet.explore.session import Session
from lenet.lenet_mnist.subject import LenetMnist

REPO_CLAIMS = Path(__file__).resolve().parents[1] / "claims"
PAIR = {"concept": "seven/crossed", "contrast": "seven/plain"}
BASE = "http://127.0.0.1:8765"


@pytest.fixture(scope="module")
def subject(mnist_root):
    return LenetMnist.load(0)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return tmp_path_factory.mktemp("project")


@pytest.fixture(scope="module")
def session(subject, project):
    found = Session(subject, subject_name="lenet-mnist", seed=0, root=project, match_seeds=(1,))
    found.warm_up(["linear-0"], progress=lambda line: None)
    yield found
    found.painter.close()


@pytest.fixture(scope="module")
def client(session):
    return TestClient(create_app(session), base_url=BASE)


@pytest.fixture
def token(session):
    return {"X-Lenet-Token": session.token}


def _text(html: str) -> str:
    import html as markup

    return markup.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def _wait(client, html: str) -> str:
    job = re.search(r'id="job-(\d+)"', html).group(1)
    for _ in range(600):
        html = client.get(f"/jobs/{job}").text
        if "hx-trigger" not in html:
            return html
        time.sleep(0.1)
    raise AssertionError(f"job {job} did not finish")


ASK = {
    "unit": "linear-0:95",
    "site": "post",
    **PAIR,
    "checks": ["selectivity", "ablation"],
    "selectivity.min_auroc": "0.6",
    "ablation.method": "zero",
    "ablation.normalise": "raw",
    "ablation.min_effect": "0.1",
}


# pages ----------------------------------------------------------------------------------------------------


def test_the_first_page_offers_layers_concepts_and_the_token(client, session):
    html = client.get("/").text
    assert 'name="layer"' in html and "linear-0" in html and "seven/crossed" in html
    assert session.token in html and "discovery split only" in html
    status = _text(client.get("/status").text)
    assert "warm:" in status and "units of linear-0 matched to seeds 1 after" in status, status
    assert "hx-trigger" not in client.get("/status").text  # nothing left to wait for: the page stops asking


def test_the_selectivity_ranking_is_the_discovery_splits_aurocs_with_the_untrained_bar(client, subject):
    from lenet.stats import estimates

    html = client.get("/layer", params={"layer": "linear-0", **PAIR, "score": "selectivity"}).text
    values = subject.values("linear-0", "train", site="post")
    c, d = subject.members("seven/crossed", "train"), subject.members("seven/plain", "train")
    best = np.argsort(-estimates.auroc_columns(values[c], values[d]), kind="stable")[:20]
    assert re.findall(r'class="unit-link"[^>]*>linear-0:(\d+)<', html) == [str(u) for u in best]
    assert "untrained networks' best unit" in _text(html) and 'src="data:image/png;base64,' in html


@pytest.mark.parametrize("score", ["ablation", "mismatch"])
def test_other_scores_rank_every_unit(client, score):
    html = client.get("/layer", params={"layer": "linear-0", **PAIR, "score": score}).text
    assert len(re.findall(r'class="unit-link"', html)) == 20 and "no untrained bar" in _text(html)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"layer": "linear-9", **PAIR}, "Unknown layer"),
        ({"layer": "linear-0", **PAIR, "score": "fame"}, "score='fame'"),
        ({"layer": "linear-0", "concept": "seven/crossed"}, "contrast is missing"),
        ({"layer": "linear-0", "concept": "digit/7", "contrast": "seven/plain"}, "share images"),
        ({"layer": "linear-0", "concept": "seven/wavy", "contrast": "seven/plain"}, "seven/wavy"),
        ({"layer": "linear-0", **PAIR, "site": "middle"}, "site='middle'"),
        ({"layer": "linear-0", **PAIR, "score": "mismatch", "class": "12"}, "class=12"),
        ({"layer": "linear-0", **PAIR, "score": "mismatch", "class": "seven"}, "not a whole number"),
    ],
)
def test_a_bad_layer_request_is_a_400_naming_the_field(client, params, message):
    response = client.get("/layer", params=params)
    assert response.status_code == 400 and message in _text(response.text), response.text
    assert "Traceback" not in response.text


def test_the_unit_view_shows_the_librarys_per_class_numbers(client, subject):
    html = client.get("/unit/linear-0/95", params={"site": "post"}).text
    values = subject.values("linear-0", "train", site="post")[:, 95]
    labels = subject.split("train").labels.numpy()
    assert f"{values[labels == 7].mean():.3g}" in html
    for part in (
        "weighted mean image per class",
        "top-activating",
        "most-negative",
        'id="frame"',
        "Other seeds",
    ):
        assert part in html, part
    # seed 1's counterpart: the library's matching of the whole layer
    from lenet.subject.match import match_unit

    match = match_unit(subject, LenetMnist.load(1), "linear-0", 95, site="post")
    shown = _text(html)
    assert (f"linear-0:{match.candidate}" in shown) if match.reason is None else ("no counterpart" in shown)


def test_the_movie_serves_frames_and_refuses_one_out_of_range(client, subject):
    frame = client.get("/unit/linear-0/95/movie", params={"frame": "0"})
    assert frame.status_code == 200 and frame.headers["content-type"] == "image/png"
    assert frame.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert client.get("/unit/linear-0/95/movie", params={"frame": "100000"}).status_code == 400
    unrecorded = next(layer for layer in subject.layers if layer not in subject.recorded_layers)
    assert "not in the training record" in _text(client.get(f"/unit/{unrecorded}/0/movie").text)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/unit/linear-0/120", "linear-0"),
        ("/unit/nope/1", "Unknown layer"),
        ("/unit/linear-0/1?site=x", "site"),
    ],
)
def test_a_bad_unit_is_a_400(client, path, message):
    response = client.get(path)
    assert response.status_code == 400 and message in _text(response.text)


# safety ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "127.0.0.1.evil.example"])
def test_a_foreign_host_header_is_refused(session, host):
    response = TestClient(create_app(session), base_url=f"http://{host}").get("/")
    assert response.status_code == 400 and "is not this machine" in response.text


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost:9000", "localhost"])
def test_this_machine_is_accepted(session, host):
    assert TestClient(create_app(session), base_url=f"http://{host}").get("/").status_code == 200


@pytest.mark.parametrize("path", ["/ask", "/try", "/claims", "/jobs/1/cancel"])
@pytest.mark.parametrize("given", [None, "wrong"])
def test_state_changing_requests_need_the_token(client, path, given):
    headers = {} if given is None else {"X-Lenet-Token": given}
    response = client.post(path, data=ASK, headers=headers)
    assert response.status_code == 403 and "token" in response.text


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/", {"split": "test"}),
        ("get", "/layer", {"layer": "linear-0", **PAIR, "split": "test"}),
        ("get", "/unit/linear-0/95", {"split": "test"}),
        ("post", "/ask", {**ASK, "split": "test"}),
        ("post", "/try", {"unit": "linear-0:95", "index": "0", "split": "confirmation"}),
        ("post", "/claims", {**ASK, "name": "x", "split": "test"}),
    ],
)
def test_a_request_for_the_confirmation_split_is_refused(client, token, method, path, data):
    if method == "get":
        response = client.get(path, params=data)
    else:
        response = client.post(path, data=data, headers=token)
    assert response.status_code == 403 and "discovery" in response.text


def test_the_exploration_never_asks_its_network_for_a_confirmation_image(subject, monkeypatch):
    """Whatever a check asks for, the base network is asked for the discovery split only."""
    seen = []
    for name in ("split", "members", "values", "outputs", "intervene", "sweep_damage"):
        original = getattr(subject, name)

        def spy(*args, _original=original, _name=name, **kwargs):
            seen.extend(a for a in (*args, *kwargs.values()) if isinstance(a, str) and a in ("train", "test"))
            return _original(*args, **kwargs)

        monkeypatch.setattr(subject, name, spy)
    view = Exploration(subject)
    text = answers.claim_text(
        "lenet-mnist",
        "linear-0:95",
        ["selectivity", "ablation", "activation"],
        {"selectivity": {"min_auroc": 0.6, "baseline": False}},
        concept="seven/crossed",
        contrast="seven/plain",
        site="post",
        seed=0,
        discovered="a test",
    )
    answers.ask(view, answers.load_claim(text), ["selectivity", "ablation", "activation"])
    assert seen and set(seen) == {"train"}


# questions ------------------------------------------------------------------------------------------------


def test_an_ask_is_the_dispatchers_verdict_on_the_discovery_split(client, token, subject, project):
    from lenet.run.dispatch import run_on

    html = _wait(client, client.post("/ask", data=ASK, headers=token).text)
    assert "exploration" in html and "[" in html, html
    params = {
        "selectivity": {"min_auroc": 0.6},
        "ablation": {"method": "zero", "normalise": "raw", "min_effect": 0.1},
    }
    text = answers.claim_text(
        "lenet-mnist",
        "linear-0:95",
        ["selectivity", "ablation"],
        params,
        **PAIR,
        site="post",
        seed=0,
        discovered="a test",
    )
    claim = answers.load_claim(text)
    verdict = run_on(Exploration(subject), claim, "ablation")
    effect = verdict.criteria[0]
    assert f"[{effect.low:.3g}, {effect.high:.3g}]" in html
    assert verdict.n["concept"] == len(subject.members("seven/crossed", "train"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"checks": ["fame"]}, "cannot be asked here"),
        ({"checks": []}, "checks is missing"),
        ({"selectivity.min_aurocc": "0.6"}, "no parameter 'min_aurocc'"),
        ({"selectivity.min_auroc": "high"}, "is not a number"),
        ({"selectivity.min_auroc": "1.5"}, "min_auroc"),
        ({"checks": ["class-ablation"]}, "class-ablation.class is missing"),
        ({"concept": ""}, "concept"),
        ({"unit": "linear-0:500"}, "linear-0"),
    ],
)
def test_a_bad_ask_is_a_400_naming_the_field(client, token, change, message):
    response = client.post("/ask", data={**ASK, **change}, headers=token)
    assert response.status_code == 400 and message in _text(response.text), response.text


def test_cancel_stops_an_ask_before_its_next_check(session, client, token):
    import threading

    started, release = threading.Event(), threading.Event()

    def work(job):
        started.set()
        release.wait(10)
        found = answers.ask(None, None, ["selectivity", "ablation"], cancelled=job.cancel.is_set)
        job.stopped = len(found) < 2
        return found

    job = session.start("a slow ask", ["selectivity", "ablation"], work)
    started.wait(10)
    assert "cancel" in client.post(f"/jobs/{job.id}/cancel", headers=token).text
    release.set()
    html = _wait(client, f'id="job-{job.id}"')
    assert "cancelled" in html and job.result == [] and job.state == "cancelled"
    done = session.start("a quick ask", ["selectivity"], lambda job: [])
    _wait(client, f'id="job-{done.id}"')
    client.post(f"/jobs/{done.id}/cancel", headers=token)  # too late: the job keeps its results
    assert done.state == "done" and not done.cancel.is_set()


def test_only_the_last_finished_jobs_are_kept(session, client, monkeypatch):
    from lenet.explore import session as sessions

    monkeypatch.setattr(sessions, "KEPT_JOBS", 3)
    started = [session.start(f"ask {k}", ["selectivity"], lambda job: []) for k in range(6)]
    for job in started:
        _wait(client, f'id="job-{job.id}"')
    last = session.start("one more", ["selectivity"], lambda job: [])
    kept = [job.id for job in started if job.id in session.jobs]
    assert kept == [job.id for job in started[-2:]] and last.id in session.jobs, kept
    gone = client.get(f"/jobs/{started[0].id}")
    assert gone.status_code == 400 and f"no job '{started[0].id}'" in _text(gone.text)


def test_a_movie_frame_does_not_wait_behind_a_computation(session, client):
    import threading

    client.get("/unit/linear-0/95/movie", params={"frame": "0"})  # the record is read once
    held, release = threading.Event(), threading.Event()

    def hold():
        with session.compute:
            held.set()
            release.wait(30)

    threading.Thread(target=hold, daemon=True).start()
    held.wait(10)
    try:
        frame = client.get("/unit/linear-0/95/movie", params={"frame": "1"})
        assert frame.status_code == 200 and not release.is_set()  # answered while the lock was held
    finally:
        release.set()


def test_a_failing_ask_is_reported_and_the_server_keeps_answering(session, client, monkeypatch):
    def broken(job):
        raise RuntimeError("the check broke")

    job = session.start("a broken ask", ["selectivity"], broken)
    html = _wait(client, f'id="job-{job.id}"')
    assert "this ask failed: RuntimeError: the check broke" in html
    assert client.get("/").status_code == 200
    unexpected = TestClient(create_app(session), base_url=BASE, raise_server_exceptions=False)
    monkeypatch.setattr(answers, "ranking", lambda *a, **k: 1 / 0)
    response = unexpected.get("/layer", params={"layer": "linear-0", **PAIR})
    assert response.status_code == 500 and "ZeroDivisionError" in response.text
    assert "Traceback" not in response.text and unexpected.get("/").status_code == 200


def test_trying_a_discovery_image_shows_the_unit_and_the_ablated_outputs(client, token, subject):
    import torch

    from lenet.subject.units import UnitSet

    html = client.post("/try", data={"unit": "linear-0:95", "index": "3", "site": "post"}, headers=token).text
    value = subject.values("linear-0", "train", site="post")[3, 95]
    assert f"{value:.4g}" in _text(html)
    found = answers.try_image(
        Exploration(subject), subject.split("train").images[3:4], "linear-0", 95, "post"
    )
    effects = subject.intervene(
        UnitSet("linear-0", [95], subject.layers), "zero", "train", site="post", rows=[3]
    )
    assert np.allclose(found["before"], effects.before[0].numpy(), atol=1e-4)
    assert np.allclose(found["after"], effects.after[0].numpy(), atol=1e-4)
    drawn = ",".join(["0"] * 300 + ["1"] * 184 + ["0"] * 300)
    assert (
        client.post("/try", data={"unit": "linear-0:95", "pixels": drawn}, headers=token).status_code == 200
    )
    assert torch.is_tensor(subject.split("train").images)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"unit": "linear-0:95", "pixels": "0,1"}, "784"),
        ({"unit": "linear-0:95", "pixels": ",".join(["2"] * 784)}, "[0, 1]"),
        ({"unit": "linear-0:95", "pixels": "a," * 783 + "a"}, "784"),
        ({"unit": "linear-0:95", "index": "60000"}, "out of range"),
        ({"unit": "linear-0:95"}, "index is missing"),
    ],
)
def test_a_bad_image_is_a_400(client, token, data, message):
    response = client.post("/try", data=data, headers=token)
    assert response.status_code == 400 and message in _text(response.text), response.text


def test_save_as_claim_writes_a_valid_file_under_the_projects_claims_only(client, token, project):
    from lenet.claims import loader

    before = sorted(REPO_CLAIMS.iterdir())
    client.get("/layer", params={"layer": "linear-0", **PAIR, "score": "selectivity"})  # lists unit 95 first
    response = client.post("/claims", data={**ASK, "name": "../../Up There!"}, headers=token)
    assert response.status_code == 200, response.text
    path = project / "claims" / "up-there.toml"
    claim = loader.load(path, root=project)  # what `lenet validate` runs
    assert claim.units == "linear-0:95" and set(claim.checks) == {"selectivity", "ablation"}
    text = path.read_text()
    assert re.search(r"\d+ questions? \(\d+ rankings?, \d+ asks?, \d+ images? tried\) in the session", text)
    assert "discovery split" in text and ": rank 1 of 120" in text
    assert "listed by: linear-0 at site post by selectivity" in text
    assert (
        "commit it before the first run" in response.text and "pytest claims/up-there.toml" in response.text
    )
    again = client.post("/claims", data={**ASK, "name": "up-there"}, headers=token)
    assert again.status_code == 400 and "never overwrites" in again.text and path.read_text() == text
    assert sorted(REPO_CLAIMS.iterdir()) == before


@pytest.mark.parametrize(("name", "safe"), [("a/b/../c", "a-b-c.toml"), ("X.toml", "x.toml"), ("..", None)])
def test_claim_names_are_sanitised(name, safe):
    from lenet.errors import LenetError

    if safe is None:
        with pytest.raises(LenetError, match="leaves no file name"):
            safe_name(name)
    else:
        assert safe_name(name) == safe


def test_results_browse_a_claims_json_linked_to_unit_views(session, project):
    import shutil

    golden = project / "claims-run.json"
    shutil.copy(Path(__file__).parent / "golden" / "claims-run.json", golden)
    client = TestClient(create_app(session, claims_json=str(golden)), base_url=BASE)
    html = client.get("/results").text
    assert "claims/crossed-seven-detector.toml" in html and 'href="/unit/linear-0/' in html
    assert (
        'class="badge' in html and 'class="criteria"' in html
    )  # the shared macros, as the report draws them
    bad = project / "bad.json"
    bad.write_text("[1, 2]")
    assert "not a claims JSON" in _text(client.get("/results", params={"path": "bad.json"}).text)
    assert client.get("/results", params={"path": "none.json"}).status_code == 400


# any subject ----------------------------------------------------------------------------------------------


def test_the_explorer_serves_a_declared_subject(tmp_path, monkeypatch):
    """A project's own network: ranking, unit view, ask and save as claim (with its `subject` key)."""
    from declared_project import make_project

    from lenet import subjects
    from lenet.claims import loader

    make_project(tmp_path, monkeypatch)
    subject = subjects.load(0, name="toy")
    session = Session(subject, subject_name="toy", seed=0, root=tmp_path, painter=Painter(workers=0))
    session.warm_up(progress=lambda line: None)  # charts drawn in the test's thread: the same bytes
    assert session.warm["state"] == "warm", session.warm
    client = TestClient(create_app(session), base_url=BASE)
    pair = {"concept": "class/mid", "contrast": "class/not-mid"}
    html = client.get("/layer", params={"layer": "fc", **pair, "score": "selectivity"}).text
    assert len(re.findall(r'class="unit-link"', html)) == 6
    page = client.get("/unit/fc/2").text
    assert "Per class" in page and "No training record" in page and "weighted mean image" in page
    assert "<canvas" not in page  # drawing is for 28x28 images (MNIST)
    form = {"unit": "fc:2", "site": "post", **pair, "checks": ["ablation"], "ablation.method": "zero"}
    form |= {"ablation.normalise": "raw", "ablation.min_effect": "0.01"}
    answer = _wait(client, client.post("/ask", data=form, headers={"X-Lenet-Token": session.token}).text)
    assert "ablation" in answer and "min_effect" in answer and "failed" not in answer, answer
    saved = client.post("/claims", data={**form, "name": "toy"}, headers={"X-Lenet-Token": session.token})
    assert saved.status_code == 200, saved.text
    claim = loader.load(tmp_path / "claims" / "toy.toml", root=tmp_path)
    assert claim.subject == "toy" and claim.units == "fc:2"


@pytest.mark.parametrize("site", ["cross-site", "same-site"])
def test_a_request_a_browser_marks_as_from_another_site_is_refused(client, site):
    response = client.get("/layer", params={"layer": "linear-0", **PAIR}, headers={"Sec-Fetch-Site": site})
    assert response.status_code == 400 and "another site" in response.text
    assert client.get("/", headers={"Sec-Fetch-Site": "same-origin"}).status_code == 200


def test_results_outside_the_project_are_refused_and_bad_documents_are_400s(client, project):
    import json

    outside = Path(__file__).parent / "golden" / "claims-run.json"
    assert "outside the project" in _text(client.get("/results", params={"path": str(outside)}).text)
    for i, document in enumerate(
        (
            {"results": [1]},
            {"results": [{"verdict": [1]}]},
            {"results": [{"verdict": {"details": {"units": 5}}}]},
        )
    ):
        path = project / f"odd-{i}.json"
        path.write_text(json.dumps(document))
        response = client.get("/results", params={"path": path.name})
        assert response.status_code in (200, 400) and "Traceback" not in response.text, response.text


def test_a_non_ascii_token_is_a_403(client):
    assert client.post("/ask", data={**ASK, "token": "é"}).status_code == 403


def test_class_blocks_give_the_weighted_mean_images_for_one_unit_or_several_at_once():
    from lenet.subject.values import weighted_mean_images

    rng = np.random.default_rng(0)
    images = rng.random((300, 28, 28), dtype=np.float32)
    labels = rng.integers(0, 10, 300)
    values = rng.normal(size=(3, 300))
    values[1, labels == 4] = -1.0  # never fires on class 4: a blank mean
    blocks = answers.ClassBlocks(images, labels, 10)
    together = blocks.weighted_means(values)
    assert together.shape == (3, 10, 28, 28)
    for k in range(3):
        expected = weighted_mean_images(values[k], images, labels)
        np.testing.assert_allclose(blocks.weighted_means(values[k]), expected, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(together[k], expected, rtol=1e-4, atol=1e-6)
    assert not together[1, 4].any()
