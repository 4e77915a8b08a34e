"""The model's own JSON form (``--to json``), read back by ``--from json``.

Scripts rely on its shape: see ``convert.model`` for the documented fields.
"""

from __future__ import annotations

import json

from ..model import Collection, collection_to_json
from .base import Writer


class JsonWriter(Writer):
    name = "json"
    extension = ".json"
    media_type = "application/json"
    description = "convert's article model as JSON (read back with --from json)"

    def render(self, collection: Collection) -> str:
        # One article per line: still one JSON document, easy to diff and to grep, and
        # written by the C encoder (an indented dump runs the pure-Python one, 5x slower).
        data = collection_to_json(collection)
        articles = data.pop("articles")
        head = json.dumps(data, ensure_ascii=False, indent=2)
        if not articles:
            return head[:-2] + ',\n  "articles": []\n}\n'
        lines = ",\n".join("    " + json.dumps(a, ensure_ascii=False) for a in articles)
        return f'{head[:-2]},\n  "articles": [\n{lines}\n  ]\n}}\n'

