"""Tests of the reader: front matter, Jekyll/Hugo semantics, Markdown, clean-up, real corpus."""
