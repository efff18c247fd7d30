// The one resident piece of the updater: it loads the receiver (ota.js, from flash) when there is
// something for it to do, a message on devices/<thing>/ota/in, or a boot log that ends in a trial or
// an unreported outcome. The app keeps what it returns only until the receiver says it is done.
// Idle, it costs one function object of two parameters, and the app keeps the receiver's variable.
import { Packet, type MqttClient, type MqttPacket } from '../core/mqtt/client';
import type { Store } from '../ports';

// Espruino's E, where ota.js leaves the receiver; declared here because host code typechecks this
// file too (through app.ts) without the Espruino types.
declare const E: { ota?: OtaReceiver };

/** receiver-main.ts's function: (ev, client, running version, packet, topic prefix); 1 when it may be freed. */
export type OtaReceiver = (ev: number, c?: MqttClient, fw?: string, pkt?: MqttPacket, pfx?: string) => number;

/**
 * Packet.Publish: a message for the receiver (the app checked its topic); any other event only loads
 * it when the boot log asks.
 */
export function otaReceiver(ev: number, store: Store): OtaReceiver | 0 {
  if (ev !== Packet.Publish) {
    // Pending: the log's last record is neither the header nor 'z' (outcome reported).
    const bootLog = store.read('.otalog') || '';
    let end = bootLog.indexOf('\xff');
    if (end < 0) end = bootLog.length;
    if (end < 2 || bootLog[end - 1] === 'z') return 0;
  }
  try {
    // Indirect: a direct eval would stop esbuild from minifying every name around it. ota.js is
    // wrapped in a function, so none of its names become globals; it leaves the receiver on E.ota.
    (0, eval)(store.read('ota.js') || '');
    const receiver = E.ota;
    delete E.ota;
    return receiver || 0;
  } catch (e) {
    console.log('ota: cannot load the receiver (ota.js): ' + e);
    return 0;
  }
}
