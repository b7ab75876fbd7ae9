"""An offline, voice-first smart speaker that guides couples through exercises by voice."""

__version__ = "0.1.0"
