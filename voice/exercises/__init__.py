"""Exercises: YAML scripts loaded into typed steps, and the session that runs them over frames."""
