"""Writing files safely: atomic replacement, never over an input, safe names.

Every output goes to a temporary file in the target folder and is renamed into
place once complete, so a crash, a full disk or Ctrl-C never leaves a
half-written file under the real name.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Iterable

from .errors import WriteError

MAX_NAME_BYTES = 255
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def safe_filename(stem: str, extension: str = "", fallback: str = "untitled") -> str:
    """A file name made from a title: no separators, controls, ``..`` or reserved names,
    at most 255 bytes in UTF-8 (a Chinese character counts 3), extension kept."""
    name = unicodedata.normalize("NFC", stem)
    name = _UNSAFE.sub("-", name)
    name = re.sub(r"\s+", " ", name).strip(" .-")
    if not name or name.upper().split(".")[0] in _WINDOWS_RESERVED:
        name = (name + "-" + fallback) if name else fallback
    budget = MAX_NAME_BYTES - len(extension.encode("utf-8"))
    encoded = name.encode("utf-8")
    if len(encoded) > budget:
        # Cut on a character boundary, never in the middle of a UTF-8 sequence.
        name = encoded[:budget].decode("utf-8", errors="ignore").rstrip(" .-")
    return name + extension


class InputGuard:
    """Refuses any target that is one of the inputs (the same file: links and ``..`` included).

    Inputs are identified by device and inode, taken once per run: resolving
    every input path again for every output would cost a second per 10,000 posts.
    """

    def __init__(self, inputs: Iterable[Path]):
        self._inputs: dict[tuple[int, int], Path] = {}
        for source in inputs:
            try:
                info = os.stat(source)
            except OSError:
                continue
            self._inputs.setdefault((info.st_dev, info.st_ino), source)

    def check(self, target: Path) -> None:
        try:
            info = os.stat(target)
        except OSError:
            return  # a file that does not exist yet is no input
        source = self._inputs.get((info.st_dev, info.st_ino))
        if source is not None:
            raise WriteError(f"{target}: refusing to write over input file {source}")


def write_atomic(target: Path, content: str | bytes) -> None:
    """Write ``content`` to ``target`` through a temporary file and a rename."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(prefix=f".{target.name[:40]}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise WriteError(f"{target}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(handle, "wb") as temp:
            temp.write(data)
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, target)
    except BaseException as exc:  # KeyboardInterrupt included: never leave the temp file behind
        try:
            os.unlink(temp_name)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise WriteError(f"{target}: cannot write: {exc.strerror or exc}") from None
        raise
