"""The writer registry: built-ins, third-party writers through entry points, clear refusals."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from convert.errors import UsageError
from convert.registry import BUILTIN_WRITERS, Registry
from convert.writers.base import Writer

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_POST = ROOT / "samples" / "_posts" / "2022-05-28-markdown-features.md"


def test_every_builtin_declares_its_contract():
    registry = Registry(include_entry_points=False)
    for name in BUILTIN_WRITERS:
        writer = registry.get(name)
        assert issubclass(writer, Writer)
        assert writer.name == name
        assert writer.extension.startswith(".")
        assert "/" in writer.media_type
        assert writer.description


def test_unknown_format_lists_the_valid_ones():
    with pytest.raises(UsageError) as info:
        Registry(include_entry_points=False).get("docx")
    assert "unknown output format 'docx'" in str(info.value)
    assert "json" in str(info.value)


def test_format_from_extension():
    assert Registry(include_entry_points=False).by_extension(".json").name == "json"
    with pytest.raises(UsageError, match="cannot tell the format"):
        Registry(include_entry_points=False).by_extension(".xyz")


PLUGIN_PYPROJECT = """
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "convert-shout"
version = "1.0"

[project.entry-points."convert.writers"]
shout = "convert_shout:ShoutWriter"
"""

PLUGIN_MODULE = '''
from convert.writers.base import Writer

class ShoutWriter(Writer):
    name = "shout"
    aliases = ("loud",)
    extension = ".shout"
    media_type = "text/plain"
    description = "titles in capitals (a third-party test writer)"

    def render(self, collection):
        return "".join(a.title.upper() + "\\n" for a in collection.articles)
'''


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory):
    """A real third-party package, built as a wheel and installed into its own folder."""
    base = tmp_path_factory.mktemp("plugin")
    project = base / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(PLUGIN_PYPROJECT)
    (project / "convert_shout.py").write_text(PLUGIN_MODULE)
    target = base / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
                    "--no-index", "--target", str(target), str(project)], check=True, capture_output=True)
    return target


def _run(args, plugin_path):
    env = dict(os.environ, PYTHONPATH=str(plugin_path))
    return subprocess.run([sys.executable, "-m", "convert", *args], capture_output=True, text=True, env=env)


def test_third_party_writer_is_listed_and_used(plugin_path, tmp_path):
    listing = _run(["--list-formats"], plugin_path)
    assert listing.returncode == 0
    assert "shout" in listing.stdout and "convert-shout" in listing.stdout
    out = tmp_path / "titles.shout"
    result = _run(["--to", "loud", "-o", str(out), str(SAMPLE_POST)], plugin_path)
    assert result.returncode == 0, result.stderr
    assert out.read_text() == "MARKDOWN 功能一览：表格、代码与脚注\n"
    by_extension = _run(["-o", str(tmp_path / "b.shout"), str(SAMPLE_POST)], plugin_path)
    assert by_extension.returncode == 0 and (tmp_path / "b.shout").exists()


def test_a_taken_name_is_refused_naming_the_first(monkeypatch):
    class FakePoint:
        name = "json"
        value = "evil:Writer"

        class dist:
            name = "evil-dist"

        def load(self):
            raise AssertionError("must not load")

    monkeypatch.setattr("importlib.metadata.entry_points", lambda group: [FakePoint()])
    # A built-in name is never looked up among plugins; listing them, or a name that is
    # not built in, finds the clash.
    assert Registry().get("json").name == "json"
    with pytest.raises(UsageError, match="'json' from evil-dist is already registered by built-in"):
        Registry().names()
    with pytest.raises(UsageError, match="'json' from evil-dist is already registered by built-in"):
        Registry().get("docx")
