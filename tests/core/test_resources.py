"""Template and stylesheet lookup: the user's folders first, the built-ins after, autoescape always."""

import pytest

from convert import resources
from convert.errors import UsageError
from convert.resources import Resources, default_template


@pytest.fixture
def builtins(tmp_path, monkeypatch):
    """Stand-in built-in folders, so the lookup rules are tested apart from any writer's files."""
    base = tmp_path / "builtin"
    (base / "templates").mkdir(parents=True)
    (base / "styles").mkdir()
    (base / "templates" / "chapter.xhtml").write_text("<h1>{{ title }}</h1>{% block body %}{% endblock %}")
    (base / "templates" / "feed.atom").write_text("<title>{{ title }}</title>")
    (base / "styles" / "base.css").write_text("body { margin: 0 }")
    monkeypatch.setattr(resources, "builtin_dir", lambda kind: base / kind)
    return base


def test_builtin_templates_autoescape_whatever_their_extension(builtins):
    found = Resources()
    assert found.template("chapter.xhtml").render(title="<script>") == "<h1>&lt;script&gt;</h1>"
    assert found.template("feed.atom").render(title="a & b") == "<title>a &amp; b</title>"


def test_user_folder_comes_first_and_can_extend_the_builtin(builtins, tmp_path):
    user = tmp_path / "mine"
    (user / "templates").mkdir(parents=True)
    (user / "templates" / "chapter.xhtml").write_text(
        '{% extends "builtin/chapter.xhtml" %}{% block body %}<p>{{ body }}</p>{% endblock %}')
    found = Resources(template_dirs=[user])
    assert found.template("chapter.xhtml").render(title="T", body="x<y") == "<h1>T</h1><p>x&lt;y</p>"
    assert found.template("feed.atom").render(title="t") == "<title>t</title>"  # not overridden: built-in


def test_stylesheets_user_first_then_css_options_in_order(builtins, tmp_path):
    user = tmp_path / "mine"
    user.mkdir()
    (user / "base.css").write_text("body { margin: 1em }")  # a flat folder works too
    extra = tmp_path / "extra.css"
    extra.write_text("p { color: red }")
    found = Resources(template_dirs=[user], css=[extra])
    assert found.stylesheets("base.css") == ["body { margin: 1em }", "p { color: red }"]
    assert Resources().stylesheets("base.css") == ["body { margin: 0 }"]


def test_missing_things_are_usage_errors_that_say_where_we_looked(builtins, tmp_path):
    with pytest.raises(UsageError, match="no such folder"):
        Resources(template_dirs=[tmp_path / "nope"])
    with pytest.raises(UsageError, match="no such file"):
        Resources(css=[tmp_path / "nope.css"])
    with pytest.raises(UsageError, match="template 'x.html' not found in"):
        Resources().template("x.html")


def test_print_default_template(builtins):
    assert default_template("chapter.xhtml").startswith("<h1>")
    assert default_template("base.css") == "body { margin: 0 }"
    with pytest.raises(UsageError, match="there are: base.css, chapter.xhtml, feed.atom"):
        default_template("nope")
