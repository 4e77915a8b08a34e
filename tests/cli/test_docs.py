"""The docs keep up: every option of the command and every writer is named in README.md."""

from pathlib import Path

from convert.cli import build_parser
from convert.registry import Registry

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")


def test_every_option_is_in_the_readme():
    options = [opt for action in build_parser()._actions for opt in action.option_strings if opt.startswith("--")]
    missing = [opt for opt in options if opt not in README and opt not in ("--help", "--version")]
    assert not missing, f"options not documented in README.md: {missing}"


def test_every_writer_is_in_the_readme():
    missing = [name for name in Registry(include_entry_points=False).names() if f"`{name}`" not in README
               and f"--to {name}" not in README]
    assert not missing, f"writers not documented in README.md: {missing}"


def test_every_module_is_in_the_contributing_map():
    modules = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "convert").rglob("*.py"))
    missing = [m for m in modules if f"`{m}`" not in CONTRIBUTING]
    assert not missing, f"modules missing from CONTRIBUTING.md's map: {missing}"
