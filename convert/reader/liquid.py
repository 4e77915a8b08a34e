"""The few Liquid constructs Jekyll posts use, handled WITHOUT running Liquid.

Post content is data, never a template: this is a tag scanner, not an engine.
It keeps ``{% raw %}`` text literally, turns ``{% highlight %}`` blocks into
escaped ``<pre><code>``, fills ``{{ site.x }}`` / ``{{ page.x }}`` from plain
mappings, resolves ``{% post_url %}`` and ``{% link %}`` through callbacks,
and removes every other tag with a warning naming it. Jekyll stops the build
on an unknown post in ``post_url``/``link``; we warn and keep the original tag
text, so the reader sees what was meant and nothing is silently lost.
"""

from __future__ import annotations

import html
import re
from typing import Any, Callable, Mapping

__all__ = ["render_liquid"]

# A tag or an output, with Liquid's whitespace-control dashes. Non-greedy and
# DOTALL: tags may span lines.
_TOKEN = re.compile(r"{%-?\s*(?P<tag>\w+)(?P<args>.*?)-?%}|{{-?(?P<expr>.*?)-?}}", re.S)
_RAW_END = re.compile(r"{%-?\s*endraw\s*-?%}", re.S)
_HIGHLIGHT_END = re.compile(r"{%-?\s*endhighlight\s*-?%}", re.S)
_PATH = re.compile(r"^\s*(site|page)((?:\.[\w-]+)+)\s*$")
_URL_FILTERS = {"relative_url", "absolute_url"}


def _lookup(root: Mapping[str, Any], dotted: str) -> Any:
    value: Any = root
    for part in dotted.strip(".").split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        else:
            return None
    return value


def _to_text(value: Any) -> str:
    """Liquid's output of a value: nil -> '', true -> 'true', lists joined."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "".join(_to_text(v) for v in value)
    return str(value)


def _join_url(base: str, path: str) -> str:
    if not base:
        return path
    return base.rstrip("/") + "/" + path.lstrip("/")


def render_liquid(text: str, *, site: Mapping[str, Any], page: Mapping[str, Any],
                  resolve_post_url: Callable[[str], str | None],
                  resolve_link: Callable[[str], str | None],
                  warn: Callable[[str], None]) -> str:
    """Expand the supported Liquid constructs in ``text``; see the module docstring.

    ``resolve_post_url("2010-07-21-name")`` and ``resolve_link("about.md")``
    return the URL (already including the baseurl, as Jekyll's tags do) or
    ``None``. ``{{ x | relative_url }}`` / ``| absolute_url`` prefix
    ``site.baseurl`` / ``site.url``; other filters are ignored with a warning.
    An unclosed ``{% raw %}`` or ``{% highlight %}`` runs to the end of the text.
    """
    if "{" not in text:
        return text
    out: list[str] = []
    pos = 0
    while True:
        m = _TOKEN.search(text, pos)
        if m is None:
            out.append(text[pos:])
            break
        out.append(text[pos:m.start()])
        pos = m.end()
        if m.group("expr") is not None:
            out.append(_output(m.group("expr"), m.group(0), site, page, warn))
            continue
        tag, args = m.group("tag"), m.group("args").strip()
        if tag == "raw":
            end = _RAW_END.search(text, pos)
            out.append(text[pos:end.start() if end else len(text)])
            if end is None:
                warn("{% raw %} without {% endraw %}: kept the rest literally")
            pos = end.end() if end else len(text)
        elif tag == "highlight":
            end = _HIGHLIGHT_END.search(text, pos)
            code = text[pos:end.start() if end else len(text)]
            if end is None:
                warn("{% highlight %} without {% endhighlight %}: took the rest as code")
            pos = end.end() if end else len(text)
            lang = args.split()[0] if args.split() else ""
            cls = f' class="language-{html.escape(lang, quote=True)}"' if lang else ""
            # Jekyll strips the leading/trailing newlines of the block.
            out.append(f"<pre><code{cls}>{html.escape(code.strip(chr(10)), quote=False)}</code></pre>")
        elif tag in ("post_url", "link"):
            resolver = resolve_post_url if tag == "post_url" else resolve_link
            url = resolver(args)
            if url is None:
                warn(f"{{% {tag} {args} %}}: no such {'post' if tag == 'post_url' else 'file'}; "
                     "kept the tag text (Jekyll would stop the build)")
                out.append(m.group(0))
            else:
                out.append(url)
        else:
            warn(f"removed Liquid tag {{% {tag} %}} (post content is not run as a template)")
    return "".join(out)


def _output(expr: str, original: str, site: Mapping[str, Any], page: Mapping[str, Any],
            warn: Callable[[str], None]) -> str:
    variable, *filters = [part.strip() for part in expr.split("|")]
    m = _PATH.match(variable)
    literal = re.fullmatch(r"""'([^']*)'|"([^"]*)\"""", variable)
    if m:
        value = _to_text(_lookup(site if m.group(1) == "site" else page, m.group(2)))
    elif literal:
        value = literal.group(1) if literal.group(1) is not None else literal.group(2)
    else:
        warn(f"removed Liquid output {original!r}: only site.* and page.* are filled in")
        return ""
    for flt in filters:
        name = flt.split(":")[0].strip()
        if name == "relative_url":
            value = _join_url(_to_text(site.get("baseurl")), value)
        elif name == "absolute_url":
            value = _join_url(_to_text(site.get("url")), _join_url(_to_text(site.get("baseurl")), value))
        else:
            warn(f"ignored Liquid filter {name!r} in {original!r}")
    return value
