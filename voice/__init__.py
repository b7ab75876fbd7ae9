"""An offline, voice-first smart speaker that guides couples through exercises by voice."""

import os

# onnxruntime, which runs the Piper voice, has telemetry on Linux since 1.2x: an uploader, a device id
# and an event cache under ~/.cache/Microsoft. This opts out fully, before onnxruntime starts.
os.environ["ORT_DISABLE_TELEMETRY"] = "1"

__version__ = "0.1.0"
