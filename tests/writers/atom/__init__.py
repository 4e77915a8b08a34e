"""Tests of the Atom writer: the feed validator's rules as our own checks, feedparser reading every
entry back (samples/ and the finews corpus), hostile posts, RFC 5005 archives, golden files."""
