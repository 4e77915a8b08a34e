"""Writers prepare while the reader's workers read, and reading front matter loads no renderer."""

import os
import subprocess
import sys
from pathlib import Path

from convert.reader.collection import ReadOptions, read

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SOURCES = sorted((SHARED / "corpus" / "finews").glob("2021-*.md"))


def _posts(folder: Path, count: int) -> Path:
    for index in range(count):
        source = SOURCES[index % len(SOURCES)]
        (folder / f"2021-12-{1 + index % 28:02d}-{index:04d}.md").write_bytes(source.read_bytes())
    return folder


def test_prepare_runs_in_the_reading_process_while_workers_read(tmp_path):
    folder = _posts(tmp_path, 600)  # enough for worker processes
    calls = []
    report = read([folder], ReadOptions(jobs=2), prepare=lambda: calls.append(os.getpid()))
    assert len(report.collection.articles) == 600
    assert calls == [os.getpid()]
    # Choosing reads front matter in workers first: prepare comes with that pass, once.
    calls.clear()
    chosen = read([folder], ReadOptions(jobs=2), choose=lambda headers: headers.articles[-3:],
                  prepare=lambda: calls.append(os.getpid()))
    assert len(chosen.collection.articles) == 3 and calls == [os.getpid()]


def test_prepare_is_not_called_without_workers(tmp_path):
    folder = _posts(tmp_path, 3)
    calls = []
    assert len(read([folder], ReadOptions(jobs=2), prepare=lambda: calls.append(1)).collection.articles) == 3
    assert calls == []


def test_front_matter_and_feed_writers_load_their_libraries_only_when_needed(tmp_path):
    # markdown-it (the body renderer) and feedgen are imported where they are used, or by
    # Writer.prepare while workers read: a run does not wait for them at start-up.
    folder = _posts(tmp_path, 3)
    script = (
        "import sys\n"
        "from convert.pipeline import run, Job\n"
        "from convert.reader.collection import read\n"
        "import convert.writers.atom, convert.writers.rss\n"
        "loaded = lambda: ['markdown_it' in sys.modules, 'feedgen' in sys.modules]\n"
        "print(*loaded())\n"
        "read([sys.argv[1]], choose=lambda headers: [])\n"
        "print(*loaded())\n"
        "convert.writers.atom.AtomWriter().prepare()\n"
        "print(*loaded())\n"
        "assert len(read([sys.argv[1]]).collection.articles) == 3\n"
        "print(*loaded())\n"
    )
    out = subprocess.run([sys.executable, "-c", script, str(folder)], capture_output=True, text=True, check=True)
    assert out.stdout.splitlines() == ["False False", "False False", "False True", "True True"]


def test_a_failing_prepare_does_not_stop_the_run(tmp_path, monkeypatch):
    from convert.pipeline import Job, run
    from convert.writers.json import JsonWriter

    calls = []

    def failing(self):
        calls.append(1)
        raise RuntimeError("no such library")

    monkeypatch.setattr(JsonWriter, "prepare", failing)
    (tmp_path / "posts").mkdir()
    folder = _posts(tmp_path / "posts", 600)
    report = run(Job(sources=[folder], formats=["json"], output=tmp_path / "out.json",
                     read_options=ReadOptions(jobs=2)))
    assert calls == [1] and report.exit_code == 0
    assert (tmp_path / "out.json").read_text(encoding="utf-8").count('"jekyll_id"') == 600
