// Shuts the doors a stock ESP8266 Espruino opens at boot: the soft AP (open, `ESP_xxxxxx`, kept by
// the SDK across reboots) and the telnet console on port 23 (the full REPL, no password); opens the
// console alone in maintenance mode. It cannot close the firmware-update server on port 88 (ota.c
// starts it in C; only a NO_FOTA build lacks it): see docs/security.md.
// Builds without TelnetServer (ESP32) or Wifi (Linux) are fine: each door is tried on its own.

// The console device to hand back when telnet closes (the last one seen that was not Telnet).
let con: string | null = 'Serial1';

/** 1: the LAN console opens (maintenance mode); 0: closed. The soft AP is closed either way. */
export function doors(open: number) {
  try {
    require('Wifi').stopAP();
  } catch (e) {}
  try {
    const c = E.getConsole();
    if (c !== 'Telnet') con = c;
    // Measured on 2v29: the server stops at the next idle, dropping a client that holds the
    // console without handing the console back (the serial console stays dead). So hand it back first.
    else if (!open) E.setConsole(con);
    require('TelnetServer').setOptions({ mode: open ? 'on' : 'off' });
  } catch (e) {}
}
