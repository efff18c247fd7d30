// Checks the network addresses provision writes into the device config: the AWS IoT endpoint
// (direct TLS) and the LAN gateway (HOST[:PORT]). It resolves nothing: a typo is caught here,
// an unreachable host only when the device tries.
import { networkInterfaces } from 'node:os';
import { UserError } from '../shared/errors';

export interface HostPort {
  host: string;
  port?: number;
}

const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Why `host` is not a host name or IPv4 address, or '' if it is one. */
function hostProblem(host: string): string {
  if (host === '') return 'it is empty';
  if (host.length > 253) return 'it is longer than 253 characters';
  if (/^[\d.]+$/.test(host)) return IPV4.test(host) ? '' : 'it is not a valid IPv4 address';
  if (!host.split('.').every((l) => LABEL.test(l))) return 'a host name holds only letters, digits, dots and inner hyphens';
  return '';
}

/** Parses HOST or HOST:PORT; `what` names the flag in messages. */
export function parseHostPort(spec: string, what: string, anchor: string, example: string): HostPort {
  const s = spec.trim();
  const bad = (why: string) => new UserError(`${what} ${JSON.stringify(spec)} is not usable (${why}): write a host name or address, e.g. ${example}.`, anchor);
  if (s.includes('://')) throw bad('leave out the scheme such as https://; only the host name');
  if (s.includes('/')) throw bad('leave out any path');
  const m = /^([^:]*)(?::(\d+))?$/.exec(s);
  if (!m) throw bad('it has more than one colon');
  const why = hostProblem(m[1]);
  if (why) throw bad(why);
  if (m[2] === undefined) return { host: m[1] };
  const port = Number(m[2]);
  if (!(port >= 1 && port <= 65535)) throw bad('the port must be 1..65535');
  return { host: m[1], port };
}

export function parseEndpoint(spec: string): HostPort {
  return parseHostPort(spec, 'The endpoint', 'endpoint-invalid', 'abc123example-ats.iot.eu-west-1.amazonaws.com (aws iot describe-endpoint --endpoint-type iot:Data-ATS)');
}

export const GATEWAY_PORT = 1883;

export function parseGateway(spec: string): { host: string; port: number } {
  const hp = parseHostPort(spec, '--gateway', 'gateway-address-invalid', `192.168.1.10 or 192.168.1.10:${GATEWAY_PORT}`);
  return { host: hp.host, port: hp.port ?? GATEWAY_PORT };
}

/** AWS's legacy (VeriSign) endpoints lack "-ats"; the device would need a different root CA. */
export function endpointWarning(host: string): string | undefined {
  if (/\.amazonaws\.com$/i.test(host) && !/-ats\./i.test(host)) {
    return `${host} is a legacy AWS IoT endpoint: use the ATS one (aws iot describe-endpoint --endpoint-type iot:Data-ATS), which AmazonRootCA1 signs.`;
  }
  return undefined;
}

/** This computer's LAN IPv4 addresses, for the hint when --gateway is missing. */
export function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a): a is NonNullable<typeof a> => !!a && a.family === 'IPv4' && !a.internal)
    .map((a) => a.address);
}
