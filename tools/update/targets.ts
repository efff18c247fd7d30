// Which things an update is for, and how each one's job gets executed: by the gateway that serves
// it (it runs jobs as its things), or by this command itself, as the thing, for a direct-TLS board
// (which has no gateway). Reads the gateway's store and certs/<thing>/; asks AWS nothing.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CERT_FILE, KEY_FILE, CA_FILE } from '../certificates';
import { checkThingName } from '../certificates/thing-name';
import { DEFAULT_STORE_DIR } from '../gateway/store-dir';
import { UserError } from '../shared/errors';

export interface TargetOptions {
  cwd: string;
  thing?: string;
  things?: string[];
  all?: boolean;
  /** The gateway's store (default .gateway): --all means every thing it serves. */
  store?: string;
  /** Every named thing is a direct-TLS board, whatever certs/<thing>/thing.json says. */
  direct?: boolean;
  /** For direct things: the AWS IoT data endpoint, HOST or HOST:PORT (default thing.json's). */
  endpoint?: string;
}

export interface DirectTarget {
  thing: string;
  certDir: string;
  endpoint: string;
  port: number;
  /** certs/<thing>/AmazonRootCA1.pem when there is one; undefined: Node's Amazon Root CA 1. */
  caPath?: string;
  /** The board's topic prefix (aws-setup --topic-prefix, in thing.json); undefined: devices. */
  prefix?: string;
}

export interface Targets {
  things: string[];
  /** The things this command executes the job for itself (direct-TLS boards). */
  direct: DirectTarget[];
}

function gatewayThings(cwd: string, store: string | undefined): string[] {
  const dir = resolve(cwd, store ?? DEFAULT_STORE_DIR);
  const file = join(dir, 'devices.json');
  if (!existsSync(file)) {
    throw new UserError(
      `--all updates every thing the gateway serves, and there is no gateway store at ${file}: run it on the gateway's computer (or pass --store DIR), or name the things with --things a,b,c.`,
      'update-no-gateway-store',
    );
  }
  let devices: Record<string, { revoked?: boolean }>;
  try {
    devices = JSON.parse(readFileSync(file, 'utf8')) as typeof devices;
  } catch {
    throw new UserError(`${file} is not valid JSON: restore it from a backup, or name the things with --things a,b,c.`, 'gateway-store-corrupt');
  }
  // A revoked device is refused at CONNECT: a job for it could never run.
  const things = Object.keys(devices).filter((t) => !devices[t]?.revoked);
  if (!things.length) throw new UserError(`The gateway store ${dir} serves no things yet: provision a device first, or name the things with --things a,b,c.`, 'update-no-things');
  return things;
}

function thingJson(cwd: string, thing: string): { mode?: string; endpoint?: string; port?: number; topicPrefix?: string } | undefined {
  try {
    return JSON.parse(readFileSync(join(cwd, 'certs', thing, 'thing.json'), 'utf8')) as { mode?: string; endpoint?: string; port?: number; topicPrefix?: string };
  } catch {
    return undefined;
  }
}

function directTarget(o: TargetOptions, thing: string, info: ReturnType<typeof thingJson>): DirectTarget {
  const certDir = join(o.cwd, 'certs', thing);
  if (!existsSync(join(certDir, CERT_FILE)) || !existsSync(join(certDir, KEY_FILE))) {
    throw new UserError(
      `${thing} is a direct-TLS board, so this command executes its job as the thing, and certs/${thing}/ has no ${CERT_FILE} and ${KEY_FILE}: run it where aws-setup left them.`,
      'update-direct-identity',
    );
  }
  const spec = o.endpoint ?? info?.endpoint;
  if (!spec) {
    throw new UserError(`No AWS IoT endpoint for ${thing}: pass --endpoint (aws iot describe-endpoint --endpoint-type iot:Data-ATS), or run aws-setup, which saves it in certs/${thing}/thing.json.`, 'endpoint-missing');
  }
  const m = /^([^:]+)(?::(\d+))?$/.exec(spec);
  if (!m) throw new UserError(`--endpoint ${spec} is not HOST or HOST:PORT: pass the AWS IoT data endpoint.`, 'endpoint-missing');
  const caPath = existsSync(join(certDir, CA_FILE)) ? join(certDir, CA_FILE) : undefined;
  return { thing, certDir, endpoint: m[1], port: m[2] ? Number(m[2]) : (info?.port ?? 8883), caPath, prefix: info?.topicPrefix };
}

/**
 * --thing X, --things a,b,c or --all (exactly one). A thing is direct when --direct is given or
 * certs/<thing>/thing.json says "mode": "direct" (provision records it); otherwise a gateway
 * executes its job.
 */
export function resolveTargets(o: TargetOptions): Targets {
  const given = [o.thing !== undefined, o.things !== undefined, o.all === true].filter(Boolean).length;
  if (given !== 1) throw new UserError('Name what to update with exactly one of --thing NAME, --things a,b,c or --all.', 'update-no-things');
  const things = o.all ? gatewayThings(o.cwd, o.store) : o.thing !== undefined ? [o.thing] : (o.things ?? []).map((t) => t.trim()).filter(Boolean);
  if (!things.length) throw new UserError('--things names no thing: pass --things a,b,c.', 'update-no-things');
  for (const t of things) checkThingName(t);
  const unique = [...new Set(things)];
  const direct: DirectTarget[] = [];
  for (const thing of unique) {
    const info = thingJson(o.cwd, thing);
    if (o.direct || info?.mode === 'direct') direct.push(directTarget(o, thing, info));
  }
  return { things: unique, direct };
}
