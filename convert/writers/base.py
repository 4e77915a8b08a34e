"""The writer contract.

A writer is pure: a collection and options in, documents out; the pipeline does
all file I/O. Each writer declares what it is as class attributes (as Sphinx
builders do), so the registry, the command line and the docs can list it
without running it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, ClassVar, Iterable, Iterator, Sequence

from ..errors import ConvertError, Diagnostic
from ..model import Article, Collection
from ..options import WriteOptions
from ..resources import Resources


@dataclass(frozen=True, slots=True)
class Document:
    """One output file. ``name`` is relative to the output folder; '' is the main output.

    ``volume`` (1, 2...): the writer cut its main output into volumes (a book too large
    for e-readers); the pipeline names each after the main file, ``book-1.epub``...
    """

    name: str
    content: str | bytes
    volume: int | None = None


class Writer:
    """Base class of every writer. Subclasses set the class attributes and ``render``."""

    name: ClassVar[str]
    aliases: ClassVar[tuple[str, ...]] = ()
    extension: ClassVar[str]  # with the dot: ".epub"
    media_type: ClassVar[str]
    binary: ClassVar[bool] = False  # render() returns bytes, not text
    per_article: ClassVar[bool] = False  # True: always one document per article
    # True: --limit N is the writer's own business (a feed keeps the newest N and archives
    # the rest) instead of dropping all but the newest N articles before it runs.
    takes_limit: ClassVar[bool] = False
    several_files: ClassVar[bool] = False  # documents() makes more than one file (feeds, archives)
    description: ClassVar[str] = ""

    def __init__(self, options: WriteOptions | None = None, resources: Resources | None = None):
        self.options = options or WriteOptions()
        self.resources = resources or Resources()
        # What the run reports besides the documents: warnings (an image dropped, a font
        # fallback) and articles left out of an output that was still written (--keep-going).
        self.diagnostics: list[Diagnostic] = []
        self.failures: list[ConvertError] = []

    def warn(self, message: str, path: str | None = None) -> None:
        """Report something the user should know about the output; the run goes on."""
        self.diagnostics.append(Diagnostic(message, path))

    def chooser(self) -> Callable[[Collection], Iterable[Article]] | None:
        """None: ``documents()`` uses every article it is given (most writers).

        Else a function that, given the articles with their front matter read but
        no body yet (empty ``body``, ``summary`` and ``lang``; the title as
        written), returns the ones ``documents()`` will use: the reader then renders
        only their bodies, as Hugo renders content only when a page uses it
        (feeds without archives want the newest entries of each feed only).
        """
        return None

    def prepare(self) -> None:
        """Load now what rendering will need (its libraries, mostly), while the reader's worker
        processes read the posts: the time is then spent alongside reading, not after it.

        Only a head start: the pipeline may not call it (a small input is read without
        workers), so ``render`` must not depend on it, and it ignores what this raises:
        rendering meets the failure again, and reports it, where it needs the thing.
        """

    def render(self, collection: Collection) -> str | bytes:
        """The main document for ``collection``."""
        raise NotImplementedError(f"{type(self).__name__} must implement render()")

    def documents(self, collection: Collection) -> list[Document]:
        """Every file this writer makes for ``collection``; most make one."""
        return [Document("", self.render(collection))]

    def documents_each(self, collections: Sequence[Collection]) -> Iterator[list[Document] | ConvertError]:
        """``documents()`` for each collection in turn (``--each``), or the error it raised.

        A writer whose documents are costly (PDF) makes them on every core instead;
        the results still come in the order of ``collections``.
        """
        for collection in collections:
            try:
                yield self.documents(collection)
            except ConvertError as exc:
                yield exc
