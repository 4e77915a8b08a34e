"""Tests of the JSON Feed writer."""
