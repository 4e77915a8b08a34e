"""Tests of the RSS writer: the RSS Advisory Board's rules as our own checks, feedparser reading
every item back (samples/ and the finews corpus), hostile posts, RFC 5005 archives, golden files."""
