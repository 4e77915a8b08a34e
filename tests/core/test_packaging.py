"""A non-editable install (a real wheel) finds the built-in templates and styles."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_ships_templates_and_styles_and_finds_them(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "--no-index", "-w", str(wheels), str(ROOT)], check=True, capture_output=True)
    (wheel,) = wheels.glob("convert-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "convert/_data/templates/README.md" in names
    assert "convert/_data/styles/README.md" in names
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target",
                    str(target), str(wheel)], check=True, capture_output=True)
    # Run from elsewhere, with the installed copy first on the path (ahead of this checkout).
    probe = ("import convert, convert.resources as r; "
             "print(convert.__file__); print(r.builtin_dir('templates')); print(r.builtin_dir('styles'))")
    env = dict(os.environ, PYTHONPATH=str(target))
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env,
                            cwd=tmp_path, check=True)
    module, templates, styles = result.stdout.split()
    assert module.startswith(str(target))
    assert templates == str(target / "convert" / "_data" / "templates")
    assert styles == str(target / "convert" / "_data" / "styles")
