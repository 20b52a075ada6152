"""lerend: workshops, learning-culture scans and follow-up for learning organisations."""

__version__ = "0.1.0"
