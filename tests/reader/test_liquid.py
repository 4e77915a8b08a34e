"""render_liquid: a tag scanner over post content, checked against real Jekyll where
Jekyll's output is the reference (site/page values, post_url, link, raw)."""

from __future__ import annotations

import pytest

from convert.reader import jekyll as j
from convert.reader.liquid import render_liquid
from tests.support import jekyll_oracle as oracle

GOLDEN = oracle.load_golden()
SITE = {"title": "Oracle site", "url": "https://example.org", "baseurl": "/blog", "nested": {"k": "v"}}
POSTS = {"2010-07-21-name": "/2010/07/21/name.html", "news/2010-07-22-other": "/news/2010/07/22/other.html"}
LINKS = {"about.md": "/about.html"}


def render(text, page=None, warnings=None):
    warnings = [] if warnings is None else warnings
    return render_liquid(
        text, site=SITE, page=page or {"title": "Liquid"},
        resolve_post_url=lambda name: (j.relative_url(SITE["baseurl"], POSTS[name]) if name in POSTS else None),
        resolve_link=lambda path: (j.relative_url(SITE["baseurl"], LINKS[path]) if path in LINKS else None),
        warn=warnings.append)


def test_matches_jekyll_output():
    post = next(p for p in oracle.LIQUID_POSTS if p.path.endswith("liquid.html"))
    _, body = oracle.front_matter(post.text())
    warnings: list[str] = []
    assert render(body, warnings=warnings) == GOLDEN["liquid"]["posts"][post.path]["content"]
    assert warnings == []


def test_text_without_brace_is_returned_as_is():
    text = "纯文本，没有模板。" * 1000
    assert render(text) is text


def test_raw_kept_literally():
    assert render("{% raw %}{{ x }}{% include a.html %}{% endraw %}!") == "{{ x }}{% include a.html %}!"


def test_highlight_becomes_escaped_pre_code():
    got = render("{% highlight python linenos %}\nif a < b:\n    print('&')\n{% endhighlight %}")
    assert got == '<pre><code class="language-python">if a &lt; b:\n    print(\'&amp;\')</code></pre>'


@pytest.mark.parametrize("tag", ["include footer.html", "if site.x", "for p in site.posts", "assign a = 1"])
def test_other_tags_removed_with_warning(tag):
    name = tag.split()[0]
    warnings: list[str] = []
    assert render(f"a{{% {tag} %}}b{{%- end{name} -%}}c", warnings=warnings) == "abc"
    assert warnings and name in warnings[0]


def test_unresolved_post_url_and_link_warn_and_keep_text():
    warnings: list[str] = []
    text = "{% post_url 2099-01-01-missing %} {% link nowhere.md %}"
    assert render(text, warnings=warnings) == text
    assert len(warnings) == 2 and "2099-01-01-missing" in warnings[0] and "nowhere.md" in warnings[1]


def test_variables_filters_and_literals():
    warnings: list[str] = []
    assert render("{{ site.nested.k }}|{{ page.missing }}|{{ '/x' | relative_url }}|"
                  "{{ '/x' | absolute_url }}|{{ site.title | upcase }}|{{ foo }}", warnings=warnings) \
        == "v||/blog/x|https://example.org/blog/x|Oracle site|"
    assert len(warnings) == 2 and "upcase" in warnings[0] and "foo" in warnings[1]


def test_unclosed_raw_runs_to_end():
    warnings: list[str] = []
    assert render("a{% raw %}{{ b }}", warnings=warnings) == "a{{ b }}"
    assert warnings
