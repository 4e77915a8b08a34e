"""convert: turn front-matter post archives into EPUB, PDF, feeds and clean Markdown."""

__version__ = "0.1.0"
