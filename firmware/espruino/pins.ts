// Button and LED through setWatch/digitalWrite. Pin names stay strings ("D0"): Espruino
// accepts them wherever a Pin is expected, and a string costs less RAM than a lookup table.
import { monoMs } from './clock';

/** Watches the button; `edge(pressed, atMs)` gets each debounced edge. */
export function watchButton(pin: string, activeLow: boolean, debounceMs: number, edge: (pressed: boolean, atMs: number) => void) {
  pinMode(pin as unknown as Pin, activeLow ? 'input_pullup' : 'input_pulldown', false);
  setWatch(
    function (e: { state: boolean; time: number }) {
      edge(e.state !== activeLow, monoMs(e.time));
    },
    pin as unknown as Pin,
    { repeat: true, edge: 'both', debounce: debounceMs > 0 ? debounceMs : undefined },
  );
}

/** Returns the LED writer; active-low LEDs (the ESP-12's GPIO2) light on 0. */
export function ledWriter(pin: string, activeLow: boolean): (lit: boolean) => void {
  return function (lit) {
    digitalWrite(pin as unknown as Pin, lit !== activeLow ? 1 : 0);
  };
}
