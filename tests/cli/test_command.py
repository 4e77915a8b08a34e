"""The real ``convert`` command: exit codes, messages, outputs."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
FINEWS = ROOT.parent / "shared" / "corpus" / "finews"


def convert(*args, stdin=None, cwd=None):
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    return subprocess.run([sys.executable, "-m", "convert", *map(str, args)], input=stdin, capture_output=True,
                          text=True, cwd=cwd, env=env)


def _post(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_samples_to_json(tmp_path):
    result = convert("--to", "json", "-o", tmp_path, SAMPLES)
    assert result.returncode == 0, result.stderr
    data = json.loads((tmp_path / "样例文集 convert samples.json").read_text(encoding="utf-8"))
    assert data["site"]["title"] == "样例文集 convert samples"
    titles = [a["title"] for a in data["articles"]]
    assert titles[0] == "“党建+”模式打造工作新亮点"
    assert len(titles) == 4
    assert "4 converted, 0 skipped, 0 failed" in result.stderr


def test_format_from_output_extension_and_stdout(tmp_path):
    out = tmp_path / "one.json"
    assert convert("-o", out, FINEWS / "2021-12-01-init.md").returncode == 0
    assert json.loads(out.read_text())["articles"][0]["title"] == "开站大吉"
    piped = convert("--to", "json", FINEWS / "2021-12-01-init.md")
    assert piped.returncode == 0 and json.loads(piped.stdout)["articles"][0]["title"] == "开站大吉"


def test_a_bad_file_is_named_with_its_line_and_the_others_still_convert(tmp_path):
    good = _post(tmp_path / "2021-01-01-good.md", "---\ntitle: good\n---\nbody\n")
    bad = _post(tmp_path / "2021-01-02-bad.md", "---\ntitle: bad\ntags: [unclosed\n---\nbody\n")
    out = tmp_path / "out.json"
    result = convert("-o", out, good, bad)
    assert result.returncode == 1
    assert f"error: {bad}:4: YAML front matter does not parse" in result.stderr
    assert "1 converted, 0 skipped, 1 failed" in result.stderr
    assert [a["title"] for a in json.loads(out.read_text())["articles"]] == ["good"]


def test_not_utf8_names_the_file_and_suggests_the_option(tmp_path):
    gbk = tmp_path / "2021-01-01-gbk.md"
    gbk.write_bytes("---\ntitle: 中文\n---\n正文\n".encode("gb18030"))
    result = convert("--to", "json", gbk)
    assert result.returncode == 1
    assert f"{gbk}:2: not valid utf-8" in result.stderr and "--input-encoding gb18030" in result.stderr
    fixed = convert("--to", "json", "--input-encoding", "gb18030", gbk)
    assert fixed.returncode == 0 and json.loads(fixed.stdout)["articles"][0]["title"] == "中文"


@pytest.mark.parametrize("args, words", [
    (["--to", "docx", "x.md"], "unknown output format 'docx'; valid formats: "),
    (["-o", "out.xyz", "x.md"], "cannot tell the format"),
    (["--to", "json"], "no input given"),
    (["--to", "json", "does-not-exist.md"], "does-not-exist.md: no such file or folder"),
    (["--limit", "0", "--to", "json", "x.md"], "not a positive whole number"),
    (["--bogus"], "unrecognized arguments"),
])
def test_usage_errors_exit_2(args, words, tmp_path):
    (tmp_path / "x.md").write_text("---\ntitle: x\ndate: 2021-01-01\n---\n")
    result = convert(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert words in result.stderr


def test_refuses_to_write_over_an_input(tmp_path):
    post = _post(tmp_path / "2021-01-01-x.json", "")
    source = _post(tmp_path / "2021-01-01-x.md", "---\ntitle: x\n---\nbody\n")
    result = convert("--to", "json", "-o", source, source)
    assert result.returncode == 1
    assert "refusing to write over input file" in result.stderr
    assert source.read_text() == "---\ntitle: x\n---\nbody\n"
    assert post.exists()


def test_stdin_and_json_round_trip(tmp_path):
    text = (FINEWS / "2021-12-08-202112082206672930.md").read_text(encoding="utf-8")
    first = convert("--to", "json", "-", stdin=text)
    assert first.returncode == 0, first.stderr
    again = convert("--from", "json", "--to", "json", "-", stdin=first.stdout)
    assert again.returncode == 0, again.stderr
    assert again.stdout == first.stdout


def test_strict_turns_warnings_into_failures(tmp_path):
    post = _post(tmp_path / "2021-01-01-untitled-post.md", "---\ndate: 2021-01-01\n---\nbody\n")
    relaxed = convert("--to", "json", post)
    assert relaxed.returncode == 0
    assert "no title; using the file name: 'Untitled Post'" in relaxed.stderr
    strict = convert("--strict", "--to", "json", post)
    assert strict.returncode == 1


def test_selection_filters(tmp_path):
    result = convert("--to", "json", "--category", "guide", "--since", "2022-05-29", SAMPLES)
    assert result.returncode == 0, result.stderr
    assert [a["slug"] for a in json.loads(result.stdout)["articles"]] == ["hugo-toml-post"]
    newest = convert("--to", "json", "--limit", "2", SAMPLES)
    assert [a["date"][:10] for a in json.loads(newest.stdout)["articles"]] == ["2022-05-29", "2022-05-30"]


def test_each_writes_one_file_per_article_with_safe_names(tmp_path):
    result = convert("--to", "json", "--each", "-o", tmp_path, SAMPLES)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "2022-05-27-5971357beab9ad41.json", "2022-05-28-markdown-features.json",
        "2022-05-29-html-body.json", "2022-05-30-hugo-toml-post.json"]


def test_list_formats_and_default_template():
    listing = convert("--list-formats")
    names = [line.split()[0] for line in listing.stdout.splitlines()]
    assert listing.returncode == 0 and names == sorted(names) and "json" in names
    missing = convert("--print-default-template", "nope.html")
    assert missing.returncode == 2 and "no built-in template 'nope.html'" in missing.stderr


def test_verbose_reports_what_the_clean_up_removed(tmp_path):
    result = convert("-v", "--to", "json", "-o", tmp_path / "o.json",
                     ROOT / "tests" / "cases" / "reader" / "2021-12-08-hostile.html")
    assert result.returncode == 0, result.stderr
    line = next(l for l in result.stderr.splitlines() if l.startswith("clean-up removed"))
    assert "script 1" in line and "hidden 1" in line
    assert f"wrote {tmp_path / 'o.json'}" in result.stderr


def test_same_input_same_bytes(tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert convert("-o", first, SAMPLES).returncode == 0
    assert convert("-o", second, "--jobs", "2", SAMPLES).returncode == 0
    assert first.read_bytes() == second.read_bytes()


def test_metadata_and_title_set_site_fields(tmp_path):
    result = convert("--to", "json", "--title", "合订本", "--metadata", "url=https://example.net",
                     "--metadata", "edition=2", FINEWS / "2021-12-01-init.md")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["site"]["title"] == "合订本" and data["site"]["extra"] == {"edition": "2"}
    assert data["articles"][0]["permalink"] == "https://example.net/sitenews/2021/12/01/init.html"
    bad = convert("--to", "json", "--metadata", "novalue", FINEWS / "2021-12-01-init.md")
    assert bad.returncode == 2 and "expected KEY=VALUE" in bad.stderr


def _run_in_terminal(args, env):
    import pty

    try:
        master, slave = pty.openpty()
    except OSError as exc:  # e.g. a chroot without /dev/pts
        pytest.skip(f"no pseudo-terminal to run in: {exc}")
    process = subprocess.run([sys.executable, "-m", "convert", *map(str, args)], stdin=slave, stdout=slave,
                             stderr=slave, env=env)
    os.close(slave)
    output = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal closed
            break
        if not chunk:
            break
        output += chunk
    os.close(master)
    return process.returncode, output.decode("utf-8", "replace")


def test_progress_bar_on_a_terminal_only(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    code, shown = _run_in_terminal(["--to", "json", "-o", tmp_path / "t.json", SAMPLES], env)
    assert code == 0 and "reading" in shown and "\x1b[" in shown
    code, shown = _run_in_terminal(["--to", "json", "-o", tmp_path / "t.json", SAMPLES], dict(env, CI="true"))
    assert code == 0 and "reading" not in shown
    piped = convert("--to", "json", "-o", tmp_path / "p.json", SAMPLES)
    assert "reading" not in piped.stderr and "\x1b[" not in piped.stderr


def test_several_files_need_an_output_folder():
    for fmt in ("atom", "jsonfeed"):
        result = convert("--to", fmt, SAMPLES)
        assert result.returncode == 2 and result.stdout == ""
        assert "this output is several files: give -o FOLDER" in result.stderr


def test_dash_output_is_standard_output_binary_formats_too(tmp_path):
    """``-o -`` is standard output (as pandoc's): a binary format goes there only when asked so."""
    refused = convert("--to", "epub", SAMPLES, cwd=tmp_path)
    assert refused.returncode == 2 and refused.stdout == ""
    assert "this output is binary: give -o FILE (or -o FOLDER), or -o - to write it to standard output" \
        in refused.stderr
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    piped = subprocess.run([sys.executable, "-m", "convert", "-q", "--to", "epub", "-o", "-", str(SAMPLES)],
                           capture_output=True, cwd=tmp_path, env=env)
    assert piped.returncode == 0, piped.stderr
    assert convert("-q", "--to", "epub", "-o", tmp_path / "book.epub", SAMPLES).returncode == 0
    assert piped.stdout == (tmp_path / "book.epub").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.epub"]  # no file or folder named "-"
    several = convert("--to", "atom", "-o", "-", SAMPLES, cwd=tmp_path)
    assert several.returncode == 2 and "this output is several files: give -o FOLDER" in several.stderr
