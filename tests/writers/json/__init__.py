"""Tests of the JSON writer."""
