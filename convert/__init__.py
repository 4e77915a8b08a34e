"""convert: turn front-matter post archives into EPUB, PDF, feeds and clean Markdown.

The Python API is as complete as the command line::

    import convert
    report = convert.read(["site/"])              # -> ReadReport with .collection
    result = convert.run(convert.Job(sources=["site/"], formats=["epub"], output=Path("out")))

Names are imported on first use, so ``import convert.model`` stays light.
"""

from importlib import import_module

__version__ = "0.1.0"

_API = {
    "Article": "model", "Asset": "model", "Collection": "model", "Site": "model",
    "ConvertError": "errors", "InputError": "errors", "UsageError": "errors", "WriteError": "errors",
    "WriterError": "errors", "WriteOptions": "options", "Job": "pipeline", "Report": "pipeline",
    "Selection": "pipeline", "run": "pipeline", "ReadOptions": "reader.collection", "ReadReport": "reader.collection", "read": "reader.collection",
    "Registry": "registry",
}

__all__ = [*sorted(_API), "__version__"]


def __getattr__(name: str):
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'convert' has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)
