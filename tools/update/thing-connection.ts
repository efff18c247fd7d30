// The update command's own MQTT connection for a direct-TLS board: mutual TLS with the thing's
// certificate from certs/<thing>/, as client id <thing>-update (the board itself stays connected as
// <thing>; aws-setup's policy allows this second id for the jobs and ota topics only).
import { UserError } from '../shared/errors';
import { openUpstream } from '../gateway/upstream';
import type { ThingLink } from './jobs-mqtt';
import type { DirectTarget } from './targets';

/** The client id the thing's policy lets the update command connect as. */
export const updateClientId = (thing: string) => `${thing}-update`;

export interface ThingConnection extends ThingLink {
  close(): Promise<void>;
}

export async function connectAsThing(t: DirectTarget): Promise<ThingConnection> {
  const listeners = new Set<(topic: string, payload: Buffer) => void>();
  let lost: string | undefined;
  const up = await openUpstream({
    thing: t.thing,
    clientId: updateClientId(t.thing),
    certDir: t.certDir,
    endpoint: t.endpoint,
    port: t.port,
    caPath: t.caPath,
    onMessage: (topic, payload) => {
      for (const fn of listeners) fn(topic, payload);
    },
    onLost: (reason) => (lost = reason),
  }).catch((err: unknown) => {
    throw new UserError(
      `Could not connect to ${t.endpoint}:${t.port} as ${updateClientId(t.thing)} with certs/${t.thing}/ (${String(err)}): check the network and run aws-setup again, which lets the thing's policy connect so.`,
      'update-direct-connect',
    );
  });
  const check = () => {
    if (lost) throw new UserError(`The connection to ${t.endpoint} as ${updateClientId(t.thing)} dropped (${lost}): run npm run update -- --job ID again to go on.`, 'update-direct-connect');
  };
  return {
    async publish(topic, payload) {
      check();
      await up.publish(topic, payload, 1, false);
    },
    async subscribe(filter) {
      check();
      return up.subscribe(filter, 1);
    },
    onMessage(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    close: () => up.close(),
  };
}
