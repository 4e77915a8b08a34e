"""The model and its JSON form: round trips, validation, documented shape."""

import datetime as dt
import json

import pytest
from hypothesis import given, strategies as st

from convert.model import (Article, Asset, Collection, Site, article_from_json, collection_from_json,
                           collection_to_json)

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _article(**changes):
    base = dict(id="https://example.org/a/2021/12/08/x", title="标题", date=dt.datetime(2021, 12, 8, 10, 46, 18, tzinfo=SHANGHAI),
                body="<p>正文</p>", slug="x", categories=("a",), tags=("东财滚动新闻",), lang="zh-CN",
                assets=(Asset("https://example.org/i.png", None, True, "image/png"),), extra={"layout": "post"})
    base.update(changes)
    return Article(**base)


def test_dates_must_be_aware():
    with pytest.raises(ValueError, match="timezone-aware"):
        _article(date=dt.datetime(2021, 1, 1))


def test_documented_json_shape():
    data = collection_to_json(Collection(Site(title="金融消息", lang="zh-CN"), (_article(),)))
    assert data["version"] == 1
    assert set(data) == {"version", "site", "articles"}
    article = data["articles"][0]
    for key in ("id", "title", "date", "updated", "authors", "categories", "tags", "lang", "summary", "body",
                "permalink", "source", "extra"):
        assert key in article
    assert article["date"] == "2021-12-08T10:46:18+08:00"
    assert article["tags"] == ["东财滚动新闻"]
    json.dumps(data)  # plain JSON all the way down


def test_round_trip_gives_the_same_model():
    collection = Collection(Site(title="t", url="https://example.org"), (_article(), _article(id="2", updated=dt.datetime(2022, 1, 1, tzinfo=dt.timezone.utc))))
    again = collection_from_json(json.loads(json.dumps(collection_to_json(collection))))
    assert again == collection


@pytest.mark.parametrize("item, words", [
    ({"title": "t", "date": "2021-01-01T00:00:00+00:00", "body": ""}, "missing required key 'id'"),
    ({"id": "1", "title": "t", "date": "2021-01-01T00:00:00", "body": ""}, "no UTC offset"),
    ({"id": "1", "title": "t", "date": "2021-01-01T00:00:00Z", "body": "", "colour": 1}, "unknown article keys"),
])
def test_bad_json_articles_say_what_is_wrong(item, words):
    with pytest.raises(ValueError, match=words):
        article_from_json(item)


def test_schema_version_is_checked():
    with pytest.raises(ValueError, match="schema version"):
        collection_from_json({"version": 99, "site": {}, "articles": []})


def test_collection_language_falls_back_to_the_articles():
    collection = Collection(Site(), (_article(lang="zh"), _article(id="2", lang="zh"), _article(id="3", lang="en")))
    assert collection.lang == "zh"


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
_dates = st.datetimes(min_value=dt.datetime(1970, 1, 2), max_value=dt.datetime(2100, 1, 1),
                      timezones=st.sampled_from([dt.timezone.utc, SHANGHAI, dt.timezone(dt.timedelta(hours=-5, minutes=-30))]))
_json_values = st.recursive(st.none() | st.booleans() | st.integers(-2**53, 2**53) | _text,
                            lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3), max_leaves=8)
_articles = st.builds(
    Article, id=_text, title=_text, date=_dates, body=_text, slug=_text, updated=st.none() | _dates,
    authors=st.tuples(_text), categories=st.lists(_text, max_size=3).map(tuple), tags=st.lists(_text, max_size=3).map(tuple),
    lang=_text, summary=_text, permalink=_text, jekyll_id=_text, source=_text, draft=st.booleans(),
    assets=st.lists(st.builds(Asset, url=_text, path=st.none() | _text, remote=st.booleans(), media_type=st.none() | _text), max_size=2).map(tuple),
    extra=st.dictionaries(_text, _json_values, max_size=3),
)


@given(st.lists(_articles, max_size=4), _text)
def test_json_round_trip_property(articles, title):
    collection = Collection(Site(title=title), tuple(articles))
    text = json.dumps(collection_to_json(collection), ensure_ascii=False)
    assert collection_from_json(json.loads(text)) == collection


def test_input_errors_survive_pickling_between_processes():
    import pickle

    from convert.errors import InputError

    error = InputError("a/b.md", "bad date", 3)
    again = pickle.loads(pickle.dumps(error))
    assert (again.path, again.message, again.line, str(again)) == ("a/b.md", "bad date", 3, "a/b.md:3: bad date")


def test_json_form_names_every_field_of_the_model():
    from dataclasses import fields

    from convert.model import article_to_json

    assert list(article_to_json(_article())) == [f.name for f in fields(Article)]
