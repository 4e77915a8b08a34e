"""Tests of what the feed writers share: the plan of feeds and archives, URLs, absolute content."""
