"""Templates and stylesheets: one lookup for both, the user's folders first.

Search order (as Sphinx's ``templates_path`` or pandoc's data dir): every
``--template-dir`` the user gave, then the built-in ``templates/`` and
``styles/``. A user template can extend the built-in one it replaces by naming
it with the ``builtin/`` prefix (``{% extends "builtin/chapter.xhtml" %}``).
Autoescaping is on for every template, whatever its extension: Jinja2's
``select_autoescape`` would leave ``.xhtml``, ``.opf`` and ``.atom`` unescaped.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from .errors import UsageError

if TYPE_CHECKING:
    import jinja2

_PACKAGE = Path(__file__).resolve().parent


def builtin_dir(kind: str) -> Path:
    """The built-in ``templates`` or ``styles`` folder: inside the wheel, or the checkout's top level."""
    for candidate in (_PACKAGE / "_data" / kind, _PACKAGE.parent / kind):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"convert's built-in {kind}/ folder is missing; reinstall convert")


class Resources:
    """Finds templates and stylesheets; one instance per run."""

    def __init__(self, template_dirs: Sequence[Path] = (), css: Sequence[Path] = ()):
        self.template_dirs = tuple(Path(d) for d in template_dirs)
        self.extra_css = tuple(Path(c) for c in css)
        for folder in self.template_dirs:
            if not folder.is_dir():
                raise UsageError(f"--template-dir {folder}: no such folder")
        for sheet in self.extra_css:
            if not sheet.is_file():
                raise UsageError(f"--css {sheet}: no such file")

    def search_path(self, kind: str) -> list[Path]:
        user = [d / kind if (d / kind).is_dir() else d for d in self.template_dirs]
        return [*user, builtin_dir(kind)]

    @cached_property
    def environment(self) -> jinja2.Environment:
        import jinja2  # on first use: a feed or JSON run renders no template, and start-up counts

        loader = jinja2.PrefixLoader(
            {"builtin": jinja2.FileSystemLoader(str(builtin_dir("templates")))}, delimiter="/")
        return jinja2.Environment(
            loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader([str(p) for p in self.search_path("templates")]),
                                        loader]),
            autoescape=True,
            auto_reload=False,  # a run renders thousands of chapters: no stat() of the template file for each
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def template(self, name: str) -> jinja2.Template:
        from jinja2 import TemplateNotFound

        try:
            return self.environment.get_template(name)
        except TemplateNotFound:
            raise UsageError(f"template {name!r} not found in {', '.join(map(str, self.search_path('templates')))}") from None

    def stylesheet(self, name: str) -> str:
        """The text of stylesheet ``name`` (user folders first)."""
        for folder in self.search_path("styles"):
            path = folder / name
            if path.is_file():
                return path.read_text(encoding="utf-8")
        raise UsageError(f"stylesheet {name!r} not found in {', '.join(map(str, self.search_path('styles')))}")

    def stylesheets(self, *names: str) -> list[str]:
        """The named built-in (or overridden) sheets, then every ``--css`` sheet, in order."""
        return [self.stylesheet(n) for n in names] + [p.read_text(encoding="utf-8") for p in self.extra_css]


def default_template(name: str) -> str:
    """The built-in template or stylesheet ``name``, for ``--print-default-template``."""
    for kind in ("templates", "styles"):
        path = builtin_dir(kind) / name
        if path.is_file():
            return path.read_text(encoding="utf-8")
    names = sorted(p.name for kind in ("templates", "styles") for p in builtin_dir(kind).iterdir() if p.is_file())
    raise UsageError(f"no built-in template {name!r}; there are: {', '.join(names) or 'none yet'}")
