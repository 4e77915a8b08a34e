"""Tests of the model, registry, resources, output safety and packaging."""
