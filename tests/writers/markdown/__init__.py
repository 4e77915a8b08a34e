"""Tests of the Markdown writer: the model read back from its output, the CommonMark spec round trip, generated bodies, golden output."""
