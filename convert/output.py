"""Writing files safely: atomic replacement, never over an input, safe names.

Every output goes to a temporary file in the target folder and is renamed into
place once complete, so a crash, a full disk or Ctrl-C never leaves a
half-written file under the real name.

An input is never a target, unless the run says ``--in-place``: then the input's
bytes are first kept in ``FILE~`` (never over an existing one; Jekyll skips such
backup files, as editors make them), and the new
content replaces the file atomically, as ``sed -i~`` would.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import unicodedata
from pathlib import Path
from typing import Iterable

from .errors import WriteError

MAX_NAME_BYTES = 255
BACKUP_SUFFIX = "~"  # --in-place keeps the input's bytes in FILE~ (Jekyll and editors skip such files)
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
    """Refuses any target that is one of the inputs (the same file: links and ``..`` included),
    unless ``in_place``: then :meth:`check` names the input, for :func:`replace_input`.

    Inputs are identified by device and inode, taken once per run, and only when a
    target exists already (into a new folder, nothing is looked up): resolving every
    input path again for every output would cost a second per 10,000 posts.
    """

    def __init__(self, inputs: Iterable[Path], in_place: bool = False):
        self.in_place = in_place
        self._sources = list(inputs)
        self._inputs: dict[tuple[int, int], Path] | None = None

    def _identities(self) -> dict[tuple[int, int], Path]:
        if self._inputs is None:
            self._inputs = {}
            for source in self._sources:
                try:
                    info = os.stat(source)
                except OSError:
                    continue
                self._inputs.setdefault((info.st_dev, info.st_ino), source)
        return self._inputs

    def check(self, target: Path) -> Path | None:
        """None when ``target`` is no input; the input when it is one and the run is in place;
        else a ``WriteError``."""
        try:
            info = os.stat(target)
        except OSError:
            return None  # a file that does not exist yet is no input
        source = self._identities().get((info.st_dev, info.st_ino))
        if source is not None and not self.in_place:
            raise WriteError(f"{target}: refusing to write over input file {source} "
                             f"(--in-place replaces it, keeping its bytes in {target.name}{BACKUP_SUFFIX})")
        return source


def replace_input(target: Path, content: str | bytes) -> Path:
    """Replace the input file ``target`` (links followed) with ``content``, atomically, after
    keeping its bytes in ``FILE~``; its permissions stay. Returns the backup's path."""
    real = Path(os.path.realpath(target))
    backup = real.with_name(real.name + BACKUP_SUFFIX)
    _keep_backup(real, backup)
    try:
        write_atomic(real, content, mode=stat.S_IMODE(os.stat(backup).st_mode))
    except BaseException:
        backup.unlink(missing_ok=True)  # the input is as it was: no backup to keep
        raise
    return backup


def _keep_backup(source: Path, backup: Path) -> None:
    exists = WriteError(f"{source}: the backup {backup} exists already; move it away or delete it, then run again")
    try:
        os.link(source, backup)  # the old inode stays there once the new file is renamed in
        return
    except FileExistsError:
        raise exists from None
    except OSError:
        pass  # no hard links on this file system: a copy, created exclusively
    try:
        with open(source, "rb") as original, open(backup, "xb") as copy:
            shutil.copyfileobj(original, copy)
            copy.flush()
            os.fsync(copy.fileno())
        shutil.copystat(source, backup)
    except FileExistsError:
        raise exists from None
    except OSError as exc:
        backup.unlink(missing_ok=True)
        raise WriteError(f"{source}: cannot keep a backup in {backup}: {exc.strerror or exc}") from None


def write_atomic(target: Path, content: str | bytes, mode: int = 0o644) -> None:
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
        os.chmod(temp_name, mode)
        os.replace(temp_name, target)
    except BaseException as exc:  # KeyboardInterrupt included: never leave the temp file behind
        try:
            os.unlink(temp_name)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise WriteError(f"{target}: cannot write: {exc.strerror or exc}") from None
        raise
