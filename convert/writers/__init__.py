"""Writers: one module per output format, each a ``Writer`` subclass (see ``base``)."""
