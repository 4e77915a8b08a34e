"""Site configuration: Jekyll's ``_config.yml`` and Hugo's ``hugo.toml``/``config.toml``.

A ``SiteConfig`` holds what the reader needs to read posts as the site's own
generator would (timezone, permalink style, excerpt separator) plus the ``Site``
metadata that goes into the model. Finding the posts of a site root is here too.
"""

from __future__ import annotations

import json
import os
import zoneinfo
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import InputError, UsageError
from ..model import Site

JEKYLL_CONFIGS = ("_config.yml", "_config.yaml", "_config.toml")
HUGO_CONFIGS = ("hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json", "config.toml", "config.yaml", "config.yml")
POST_EXTENSIONS = (".md", ".markdown", ".mkd", ".mkdn", ".mdown", ".html", ".htm")

# Keys that become Site fields; everything else of the config goes to Site.extra
# only when it is plain data a template might want (strings, numbers, booleans).
_SITE_KEYS = ("title", "url", "baseurl", "author", "lang", "timezone", "description")


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """How to read the posts of one site, and the site's metadata."""

    site: Site = field(default_factory=Site)
    kind: str = "plain"  # "jekyll", "hugo" or "plain" (loose files)
    root: Path | None = None
    permalink: str = "date"
    excerpt_separator: str = "\n\n"
    timezone: str = ""
    config_path: Path | None = None

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone or "UTC")


def find_site_root(directory: Path) -> tuple[str, Path] | None:
    """("jekyll" | "hugo", config file) when ``directory`` is a site root."""
    for name in JEKYLL_CONFIGS:
        if (directory / name).is_file():
            return "jekyll", directory / name
    for name in HUGO_CONFIGS:
        if (directory / name).is_file() and (directory / "content").is_dir():
            return "hugo", directory / name
    return None


def load_site_config(config_path: Path, kind: str | None = None) -> SiteConfig:
    """Read a Jekyll or Hugo configuration file."""
    if kind is None:
        kind = "hugo" if config_path.name in HUGO_CONFIGS and config_path.name not in JEKYLL_CONFIGS else "jekyll"
    data = _load_config_file(config_path)
    if kind == "hugo":
        return _hugo_config(data, config_path)
    return _jekyll_config(data, config_path)


def _load_config_file(path: Path) -> dict[str, Any]:
    import tomllib  # here: ~20 ms of start-up, with PyYAML, that a run without a site does not need

    import yaml

    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read the site configuration: {exc.strerror}") from None
    try:
        if path.suffix == ".toml":
            data = tomllib.loads(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        raise InputError(path, f"site configuration does not parse: {exc.problem}", line) from None
    except (yaml.YAMLError, tomllib.TOMLDecodeError, json.JSONDecodeError, ValueError) as exc:
        raise InputError(path, f"site configuration does not parse: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(path, "site configuration is not a mapping of keys to values")
    return data


def _plain(value: Any) -> bool:
    return isinstance(value, (str, int, float, bool))


def _plain_tree(value: Any) -> bool:
    """Plain data all the way down (jekyll-feed's ``feed:`` block: paths, limits, lists)."""
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain_tree(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain_tree(v) for v in value)
    return value is None or _plain(value)


def _author_name(value: Any) -> str:
    # Jekyll sites write `author: Name` or `author: {name: Name, email: ...}`.
    if isinstance(value, dict):
        return str(value.get("name") or "")
    return str(value or "")


def _jekyll_config(data: dict[str, Any], path: Path) -> SiteConfig:
    timezone = str(data.get("timezone") or "")
    _check_timezone(timezone, path)
    site = Site(
        title=str(data.get("title") or ""),
        url=str(data.get("url") or "").rstrip("/"),
        baseurl=str(data.get("baseurl") or "").rstrip("/"),
        author=_author_name(data.get("author")),
        lang=str(data.get("lang") or ""),
        timezone=timezone,
        description=str(data.get("description") or ""),
        extra={k: v for k, v in sorted(data.items())
               if k not in _SITE_KEYS and (_plain(v) or (k == "feed" and _plain_tree(v)))},
    )
    return SiteConfig(
        site=site,
        kind="jekyll",
        root=path.parent,
        permalink=str(data.get("permalink") or "date"),
        excerpt_separator=str(data.get("excerpt_separator", "\n\n")),
        timezone=timezone,
        config_path=path,
    )


def _hugo_config(data: dict[str, Any], path: Path) -> SiteConfig:
    # Hugo keys are case-insensitive; its config uses camelCase by convention.
    lowered = {str(k).lower(): v for k, v in data.items()}
    params = {str(k).lower(): v for k, v in (lowered.get("params") or {}).items()}
    timezone = str(lowered.get("timezone") or "")
    _check_timezone(timezone, path)
    author = lowered.get("author") or params.get("author") or ""
    # Hugo reads a file name's language suffix (index.ja.md) only for a configured
    # language, and puts every language but the default under /LANG/: the post
    # reader needs both, so they travel with the site under Hugo's own names.
    languages = lowered.get("languages")
    default_language = str(lowered.get("defaultcontentlanguage") or "en").lower()
    extra: dict[str, Any] = {}
    if isinstance(languages, dict) and languages:
        extra = {
            "defaultContentLanguage": default_language,
            "defaultContentLanguageInSubdir": bool(lowered.get("defaultcontentlanguageinsubdir", False)),
            "languages": sorted(str(code).lower() for code in languages),
        }
    site = Site(
        title=str(lowered.get("title") or ""),
        url=str(lowered.get("baseurl") or "").rstrip("/"),
        baseurl="",
        author=_author_name(author),
        lang=str(lowered.get("languagecode") or lowered.get("defaultcontentlanguage") or ""),
        timezone=timezone,
        description=str(params.get("description") or ""),
        extra=extra,
    )
    return SiteConfig(site=site, kind="hugo", root=path.parent, permalink="hugo", timezone=timezone,
                      excerpt_separator="<!--more-->", config_path=path)


def _check_timezone(name: str, path: Path) -> None:
    if not name:
        return
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise InputError(path, f"unknown timezone {name!r} (use an IANA name such as 'Asia/Shanghai')") from None


def with_overrides(config: SiteConfig, **site_fields: Any) -> SiteConfig:
    """The same config with some Site fields replaced (from --title, --metadata)."""
    known = {k: v for k, v in site_fields.items() if v is not None}
    site = replace(config.site, **known)
    timezone = known.get("timezone", config.timezone)
    return replace(config, site=site, timezone=timezone)


def post_files(kind: str, root: Path, drafts: bool) -> list[tuple[str, Path, bool]]:
    """(path as text, file, is_draft) for every post of a site root, sorted."""
    if kind == "hugo":
        return [(text, path, False) for text, path in walk_files(root / "content")
                if path_suffix(text).lower() in POST_EXTENSIONS and path.name != "_index.md"]
    found: list[tuple[str, Path, bool]] = []
    start = len(os.path.join(str(root), ""))
    for text, path in walk_files(root):
        parts = text[start:].split(os.sep)
        if any(part.startswith((".", "_site")) for part in parts) or path_suffix(text).lower() not in POST_EXTENSIONS:
            continue
        if "_posts" in parts[:-1]:
            found.append((text, path, False))
        elif drafts and "_drafts" in parts[:-1]:
            found.append((text, path, True))
    return found


def walk_files(directory: Path) -> list[tuple[str, Path]]:
    """Every file below ``directory`` as (its path as text, its Path), sorted by path; links are
    not followed (they could lead out of the source tree). os.scandir knows each entry's type
    without a system call, and its text saves making it again from each Path (10,000 files:
    30 ms)."""
    top = Path(directory)
    found: list[tuple[str, Path, str]] = []  # (path as scandir gives it, folder, name)
    pending = [(str(top), top)]
    while pending:
        folder, folder_path = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, _child_path(folder_path, entry.name)))
                elif entry.is_file(follow_symlinks=False):
                    found.append((entry.path, folder_path, entry.name))
    # Sorted as the Paths' parts would sort (every path starts with the same folder, left out
    # of the key, and a name holds no separator), before any Path is made: a Path from a
    # string costs 4 us.
    start = len(os.path.join(str(top), ""))
    found.sort(key=lambda item: item[0][start:].split(os.sep))
    return [(text, _child_path(folder_path, name)) for text, folder_path, name in found]


def path_suffix(path: str) -> str:
    """``PurePath.suffix`` of a file's path (or name) given as text, without making a Path."""
    name = path[path.rfind(os.sep) + 1:]
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


# A folder's child without parsing the whole path again: pathlib's own way for listing a
# folder (Path.iterdir), a quarter of Path(string)'s cost; joinpath where it is missing.
_child_path = getattr(Path, "_make_child_relpath", Path.joinpath)
