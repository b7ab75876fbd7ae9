"""The project's exception hierarchy: every message is one sentence saying what is wrong and how to fix it."""


class VoiceError(Exception):
    """Base of every error the speaker reports to a person; library code raises, only the CLI exits."""


class ConfigError(VoiceError):
    """A configuration value, file or command-line flag is wrong."""


class ScriptError(VoiceError):
    """An exercise script or locale file is broken; the message names file:line."""


class ModelError(VoiceError):
    """A speech model is missing, unreadable or cannot be fetched."""


class AudioError(VoiceError):
    """An audio device or audio file cannot be used."""


class SpeechError(VoiceError):
    """The text-to-speech engine failed."""
