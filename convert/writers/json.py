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
        return json.dumps(collection_to_json(collection), ensure_ascii=False, indent=self.options.indent_json) + "\n"
