"""Tests of the real `convert` command: exit codes, messages, outputs."""
