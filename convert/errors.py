"""The one exception family of convert, and the warnings the reader and writers report.

Who raises what:

* ``UsageError`` -- the command line or API call itself is wrong (exit code 2).
* ``InputError`` -- one input file cannot be read into an article; the run goes on
  with the other files and ends with exit code 1. It carries the file and, where
  known, the line.
* ``WriteError`` -- an output cannot be written (refused target, disk error).
* ``WriterError`` -- a writer cannot express the model (raised by writers only).
* ``FetchError`` -- a remote resource (``--fetch-remote``) cannot or may not be
  fetched; raised by ``convert.fetch`` only, and writers turn it into a warning.

Every error message says what to do about it where that is not obvious.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class ConvertError(Exception):
    """Base of every error convert raises on purpose."""

    exit_code = 1


class UsageError(ConvertError):
    """The request is malformed: unknown format, bad option value, no inputs."""

    exit_code = 2


class InputError(ConvertError):
    """An input file cannot be turned into an article."""

    def __init__(self, path: str | Path | None, message: str, line: int | None = None):
        self.path = str(path) if path is not None else None
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{_position(self.path, self.line)}{self.message}"

    def __reduce__(self):  # worker processes send these back pickled
        return (type(self), (self.path, self.message, self.line))


class WriteError(ConvertError):
    """An output file cannot be written."""


class WriterError(ConvertError):
    """A writer cannot produce its format from the model it was given."""


class FetchError(ConvertError):
    """A remote resource cannot or may not be fetched: refused address, timeout, too large, HTTP error."""

    def __init__(self, url: str, message: str):
        self.url = url
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.url}: {self.message}"

    def __reduce__(self):
        return (type(self), (self.url, self.message))


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A warning about one input, with its position where known."""

    message: str
    path: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        return f"{_position(self.path, self.line)}{self.message}"


def _position(path: str | None, line: int | None) -> str:
    if path is None:
        return ""
    return f"{path}:{line}: " if line else f"{path}: "
