"""An optional push button and LED on the Pi's GPIO pins (gpiozero), off unless configured.

The button: a press mutes or unmutes the microphone, a long press stops what is running. The LED:
on while listening, blinking while speaking, off while muted. gpiozero calls back from its own
threads, so the button only queues requests; the engine carries them out on its next frame.
"""

import logging

from .errors import ConfigError
from .events import Event

log = logging.getLogger(__name__)
LONG_PRESS_S = 1.5
BLINK_S = 0.3


class Panel:
    def __init__(self, engine, button_pin: int | None, led_pin: int | None, pin_factory=None,
                 long_press_s: float = LONG_PRESS_S) -> None:
        try:
            from gpiozero import LED, Button
            from gpiozero.exc import GPIOZeroError
        except ImportError:
            raise ConfigError("button_pin or led_pin is set but gpiozero is not installed; run "
                              "'.venv/bin/pip install -e .[gpio]' (see hardware/README.md)") from None
        self.engine = engine
        self.button = self.led = None
        self._held = False
        try:
            if button_pin is not None:
                self.button = Button(button_pin, hold_time=long_press_s, pin_factory=pin_factory)
                self.button.when_held = self._on_held
                self.button.when_released = self._on_released
            if led_pin is not None:
                self.led = LED(led_pin, pin_factory=pin_factory)
                self.led.on()
        except (GPIOZeroError, OSError, RuntimeError) as error:
            self.close()
            raise ConfigError(f"the GPIO pins cannot be used ({error}); check button_pin and led_pin are BCM "
                              "numbers of free pins and that the service user is in the gpio group") from None
        log.info("GPIO: button on %s, LED on %s", button_pin, led_pin)

    def _on_held(self) -> None:
        self._held = True
        self.engine.request("stop")

    def _on_released(self) -> None:
        if not self._held:
            self.engine.request("toggle_mute")
        self._held = False

    def observe(self, events: list[Event]) -> None:
        """Show the engine's state on the LED as its events arrive."""
        if self.led is None:
            return
        for event in events:
            if event.type == "muted":
                self.led.off()
            elif event.type == "said" and not self.engine.muted:
                self.led.blink(on_time=BLINK_S, off_time=BLINK_S)
            elif event.type in ("listening", "unmuted") and not self.engine.muted:
                self.led.on()

    def close(self) -> None:
        for device in (self.button, self.led):
            if device is not None:
                device.close()
