"""chartbot: tells Discord communities the moment a title moves on the charts."""

__version__ = "0.1.0"
