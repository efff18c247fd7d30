// The one resident piece of the updater: the app hands it the events an update or a trial needs,
// and it loads the receiver (ota.js, from flash) only when there is something to do: a message on
// devices/<thing>/ota/in, or a boot log that ends in a trial or an unreported outcome. Idle, it
// costs one function object and one variable; the receiver is dropped as soon as it says so.
import type { MqttClient, MqttPacket } from '../core/mqtt/client';

/** receiver-main.ts's function: the receiver, told the thing's topic prefix too. 1: free it. */
type Loaded = (ev: number, c?: MqttClient, fw?: string, pkt?: MqttPacket, pfx?: string) => number;

let rx: Loaded | 0 = 0;

/** ev: 3 PUBLISH, 4 PUBACK, Link.Up/Down, AppEv.WifiUp (the app's own numbers); pfx is the thing's topic prefix. */
export function ota(ev: number, c?: MqttClient, pkt?: MqttPacket, fw?: string, pfx?: string): void {
  const S = require('Storage');
  if (!rx) {
    if (ev === 3) {
      if (pkt!.topic !== pfx + 'ota/in') return;
    } else {
      // Pending: the log's last record is neither the header nor 'z' (outcome reported).
      const L = S.read('.otalog');
      let i = L ? L.indexOf('\xff') : -1;
      if (L && i < 0) i = L.length;
      if (i < 2 || L![i - 1] === 'z') return;
    }
    try {
      // Indirect: a direct eval would stop esbuild from minifying every name around it.
      (0, eval)(S.read('ota.js') || '');
      rx = (E as any).ota;
      delete (E as any).ota;
    } catch (e) {
      console.log('ota: cannot load the receiver (ota.js): ' + e);
    }
    if (!rx) return;
  }
  try {
    if ((rx as Loaded)(ev, c, fw, pkt, pfx)) rx = 0;
  } catch (e) {
    console.log('ota: ' + e);
    rx = 0;
  }
}
