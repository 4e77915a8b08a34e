"""Oracle harnesses: real Jekyll, kramdown and Hugo, driven from the tests."""
