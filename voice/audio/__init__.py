"""Audio at the edges: the frame format, WAV files, resampling, generated tones and the two audio drivers."""
