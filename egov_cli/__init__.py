"""egov-cli: the catalogue of a city's online administrative services."""

__version__ = "0.1.0"
