// Gateway mode's address for the device when --gateway is not given: the one gateway that answers
// on the LAN (mDNS, tools/shared/gateway-mdns.ts), else the gateway the device was given last time.
// It talks to no device; more than one answer, or none and nothing remembered, is refused.
import { UserError } from '../shared/errors';
import type { Logger } from '../shared/log';
import { findGateways, mdnsFromEnv, type FoundGateway } from '../shared/gateway-mdns';
import { lanAddresses } from './address';

export type FindGateways = () => Promise<FoundGateway[]>;

export const defaultFindGateways = (env: Record<string, string | undefined> = process.env): FindGateways => () => findGateways({ mdns: mdnsFromEnv(env) });

/** The gateway address an old gateway-mode config.json holds, if it is one. */
function remembered(old: Record<string, unknown> | undefined): { host: string; port: number } | undefined {
  const mqtt = old?.mqtt as { host?: unknown; port?: unknown; transport?: unknown } | undefined;
  const gw = old?.gateway as { secret?: unknown } | undefined;
  if (!mqtt || mqtt.transport !== 'tcp' || typeof mqtt.host !== 'string' || typeof gw?.secret !== 'string') return undefined;
  return { host: mqtt.host, port: typeof mqtt.port === 'number' ? mqtt.port : 1883 };
}

export async function locateGateway(find: FindGateways, old: Record<string, unknown> | undefined, log: Logger): Promise<{ host: string; port: number; key?: string }> {
  log.info('Looking for the gateway on the LAN (mDNS)...');
  const found = await find();
  if (found.length === 1) {
    log.info(`Found ${found[0].name} at ${found[0].host}:${found[0].port}.`);
    return { host: found[0].host, port: found[0].port, key: found[0].key };
  }
  if (found.length > 1) {
    throw new UserError(
      `${found.length} gateways answered on the LAN (${found.map((g) => `${g.host}:${g.port}`).join(', ')}): pass --gateway HOST[:PORT] to choose one.`,
      'gateway-ambiguous',
    );
  }
  const last = remembered(old);
  if (last) {
    log.info(`No gateway answered on the LAN: keeping the one the device had, ${last.host}:${last.port}.`);
    return last;
  }
  const lan = lanAddresses();
  throw new UserError(
    `No gateway answered on the LAN: start \`npm run gateway\` on a computer in the board's network (or pass --gateway HOST[:PORT]${lan.length ? `; this computer's: ${lan.join(', ')}` : ''}).`,
    'gateway-address-missing',
  );
}

/** The enrolment key of the gateway at `at`, as it announces it on the LAN; undefined if it does not answer. */
export async function gatewayKeyAt(find: FindGateways, at: { host: string; port: number }): Promise<string | undefined> {
  return (await find()).find((g) => g.host === at.host && g.port === at.port)?.key;
}
