"""`lenet validate --upgrade`: format-1 files become format 2 with site = "pre", keeping meaning and
comments."""

from lenet import claims
from lenet.cli import main

FORMAT_1 = """\
# How it was discovered: by hand
format = 1                    # the old format
claim = "a test claim"
unit = "linear-0:58"
concept = "seven/crossed"
contrast = "seven/plain"

[selectivity]                 # a comment that must survive
min_auroc = 0.75
"""


def write(tmp_path, text: str, name: str = "old.toml"):
    path = tmp_path / "claims" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


def test_upgrade_rewrites_format_1_as_format_2_at_site_pre(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, FORMAT_1)
    before = claims.load(path)
    assert (before.format, before.site) == (1, "pre")
    assert main(["validate", "--upgrade"]) == 0
    out = capsys.readouterr().out
    assert 'upgraded  claims/old.toml: format 1 -> 2, site = "pre"' in out
    after = claims.load(path)
    assert (after.format, after.site) == (2, "pre")
    assert after.units == before.units and [(t.name, t.params, t.expect) for t in after.checks.values()] == [
        (t.name, t.params, t.expect) for t in before.checks.values()
    ]
    text = path.read_text()
    assert "# a comment that must survive" in text and "# How it was discovered: by hand" in text
    assert "format = 2  # the old format" in text  # a comment on the format line stays with it
    assert main(["validate", "--upgrade"]) == 0  # a second upgrade has nothing to do
    assert "upgraded" not in capsys.readouterr().out and path.read_text() == text
    assert not list(path.parent.glob(".*"))  # the check copy beside it is gone


def test_format_2_defaults_to_post_and_validate_names_the_site(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, FORMAT_1.replace("format = 1 ", "format = 2 "), "new.toml")
    assert claims.load(path).site == "post"
    assert main(["validate"]) == 0
    assert "ok  claims/new.toml  (format 2, site post; selectivity)" in capsys.readouterr().out


def test_upgrade_leaves_an_invalid_file_as_it_is_and_says_why(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    broken = FORMAT_1.replace("min_auroc = 0.75", "min_auroc = 2")
    path = write(tmp_path, broken, "bad.toml")
    assert main(["validate", "--upgrade"]) == 1
    assert "min_auroc=2 must lie in" in capsys.readouterr().err
    assert path.read_text() == broken


def test_upgrade_keeps_windows_line_endings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write(tmp_path, "")
    path.write_bytes(FORMAT_1.replace("\n", "\r\n").encode())
    assert main(["validate", "--upgrade"]) == 0
    data = path.read_bytes()
    assert (
        data.count(b"\r\n") == data.count(b"\n") and b'format = 2  # the old format\r\nsite = "pre"' in data
    )
    assert claims.load(path).site == "pre"


def test_a_site_in_a_format_1_file_says_both_ways_out(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, FORMAT_1.replace('unit = "linear-0:58"', 'unit = "linear-0:58"\nsite = "post"'))
    assert main(["validate", "--upgrade"]) == 1
    err = capsys.readouterr().err
    assert "Change `format = 1` to `format = 2` so this site applies, or delete the site line" in err
