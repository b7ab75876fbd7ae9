"""Listening: voice activity and endpointing, the Vosk recognizer, and intent matching."""
