"""modelcat: a static site generator for catalogs of AI models."""

__version__ = "0.1.0"
