"""`voice bench latency | accuracy | idle`: listening measured on synthesized speech, in frame time.

Each prints one JSON object (the figures) and a short human summary. Targets live here, not in tests.
"""
