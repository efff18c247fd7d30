// The one resident piece of the updater: it loads the receiver (ota.js, from flash) when there is
// something for it to do, a message on devices/<thing>/ota/in, or a boot log that ends in a trial or
// an unreported outcome. The app keeps what it returns only until the receiver says it is done.
// Idle, it costs one function object of two parameters, and the app keeps the receiver's variable.
import type { MqttClient, MqttPacket } from '../core/mqtt/client';
import type { Store } from '../ports';

// Espruino's E, where ota.js leaves the receiver; declared here because host code typechecks this
// file too (through app.ts) without the Espruino types.
declare const E: { ota?: OtaReceiver };

/** receiver-main.ts's function: (ev, client, running version, packet, topic prefix); 1 when it may be freed. */
export type OtaReceiver = (ev: number, c?: MqttClient, fw?: string, pkt?: MqttPacket, pfx?: string) => number;

/** ev 3: a message for the receiver (the app checked its topic); any other event only loads it when the boot log asks. S: Storage. */
export function otaReceiver(ev: number, S: Store): OtaReceiver | 0 {
  if (ev !== 3) {
    // Pending: the log's last record is neither the header nor 'z' (outcome reported).
    const L = S.read('.otalog');
    let i = L ? L.indexOf('\xff') : -1;
    if (L && i < 0) i = L.length;
    if (i < 2 || L![i - 1] === 'z') return 0;
  }
  try {
    // Indirect: a direct eval would stop esbuild from minifying every name around it. ota.js is
    // wrapped in a function, so none of its names become globals; it leaves the receiver on E.ota.
    (0, eval)(S.read('ota.js') || '');
    const r = E.ota;
    delete E.ota;
    return r || 0;
  } catch (e) {
    console.log('ota: cannot load the receiver (ota.js): ' + e);
    return 0;
  }
}
