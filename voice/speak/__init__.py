"""Speaking: the TTS engine, the prompt cache and frame-by-frame playback."""
