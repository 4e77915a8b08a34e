"""Tests of the writers, one folder per format."""
