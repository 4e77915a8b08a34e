"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1) as a JSON Schema, written from the spec.

Required: ``version``, ``title``, ``items`` at the top; ``id`` and one of
``content_html`` / ``content_text`` in every item. Author objects need at least
one of name/url/avatar; hubs need type and url. Dates are RFC 3339 (checked by
pattern: jsonschema's date-time format check needs an extra package). Unknown
keys are refused unless they start with ``_``, the spec's extension prefix.
"""

RFC3339 = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"
URL = r"^https?://[^\s]+$"

_STRING = {"type": "string"}
_URL = {"type": "string", "pattern": URL}
_DATE = {"type": "string", "pattern": RFC3339}
_EXTENSIONS = {"^_": {}}

AUTHOR = {
    "type": "object",
    "properties": {"name": _STRING, "url": _URL, "avatar": _URL},
    "anyOf": [{"required": ["name"]}, {"required": ["url"]}, {"required": ["avatar"]}],
    "patternProperties": _EXTENSIONS,
    "additionalProperties": False,
}

ATTACHMENT = {
    "type": "object",
    "required": ["url", "mime_type"],
    "properties": {"url": _URL, "mime_type": _STRING, "title": _STRING,
                   "size_in_bytes": {"type": "number"}, "duration_in_seconds": {"type": "number"}},
    "patternProperties": _EXTENSIONS,
    "additionalProperties": False,
}

ITEM = {
    "type": "object",
    "required": ["id"],
    "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
    "properties": {
        "id": {"type": "string", "minLength": 1},
        "url": _URL, "external_url": _URL, "title": _STRING,
        "content_html": _STRING, "content_text": _STRING, "summary": _STRING,
        "image": _URL, "banner_image": _URL,
        "date_published": _DATE, "date_modified": _DATE,
        "authors": {"type": "array", "items": AUTHOR},
        "tags": {"type": "array", "items": _STRING},
        "language": _STRING,
        "attachments": {"type": "array", "items": ATTACHMENT},
    },
    "patternProperties": _EXTENSIONS,
    "additionalProperties": False,
}

JSON_FEED_1_1 = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": _STRING,
        "home_page_url": _URL, "feed_url": _URL, "next_url": _URL,
        "description": _STRING, "user_comment": _STRING,
        "icon": _URL, "favicon": _URL,
        "authors": {"type": "array", "items": AUTHOR},
        "language": _STRING,
        "expired": {"type": "boolean"},
        "hubs": {"type": "array", "items": {
            "type": "object", "required": ["type", "url"],
            "properties": {"type": _STRING, "url": _URL}, "additionalProperties": False}},
        "items": {"type": "array", "items": ITEM},
    },
    "patternProperties": _EXTENSIONS,
    "additionalProperties": False,
}
