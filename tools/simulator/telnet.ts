// The ESP8266 build's telnet console (libs/network/telnet/jswrap_telnet.c, 2v29): the full REPL,
// no password, on port 23 of every interface, listening while its mode is "on" and the network is
// up. The mode is "on" at every power-on and soft reset (its init hook), until
// require("TelnetServer").setOptions({mode:"off"}). Not modelled: the console moving to the
// Telnet device while a client is attached (here the client shares the serial console's output).
import type { Realm } from './realm';
import type { LanService } from './lan-service';

export interface TelnetConsole {
  /** jswrap_telnet_init: at power-on and after reset()/load(). */
  init(): void;
  /** The station got or lost its IP address. */
  online(up: boolean): void;
  readonly mode: 'on' | 'off';
  createModule(realm: Realm): object;
}

export function createTelnetConsole(service: () => LanService | undefined): TelnetConsole {
  let mode: 'on' | 'off' = 'on';
  let up = false;
  const apply = (): void => service()?.set(mode === 'on' && up);
  return {
    get mode() {
      return mode;
    },
    init() {
      mode = 'on';
      apply();
    },
    online(u) {
      up = u;
      apply();
    },
    createModule(realm) {
      const m = new realm.R.Object();
      Object.defineProperty(m, 'setOptions', {
        enumerable: true,
        value: (opts: unknown) => {
          // The 2v29 ESP8266-shaped build's own words (checked on the interpreter).
          if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) throw realm.error('Error', `Expecting Object, got ${opts === null ? 'null' : typeof opts}`);
          const v = (opts as { mode?: unknown }).mode;
          if (typeof v !== 'string') return;
          if (v !== 'on' && v !== 'off') throw realm.error('Error', 'Unknown mode value');
          mode = v;
          apply();
        },
      });
      return m;
    },
  };
}
