"""convert's test suite, organised by the part each folder checks."""
