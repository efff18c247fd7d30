// The AWS IoT endpoint the gateway forwards to when --endpoint is not given: the one aws-setup saved
// in certs/<thing>/thing.json, here or in the store (where gateway add puts it); every thing must
// agree. It reads files and contacts nobody.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { UserError } from '../shared/errors';

export interface SavedEndpoint {
  endpoint: string;
  port: number;
  /** The thing.json files it came from, relative to cwd. */
  from: string[];
}

/** undefined when no certs/<thing>/thing.json under cwd or `store` names an endpoint. */
export function savedEndpoint(cwd: string, store?: string): SavedEndpoint | undefined {
  const files: string[] = [];
  for (const root of store ? [cwd, join(cwd, store)] : [cwd]) {
    const certs = join(root, 'certs');
    if (!existsSync(certs)) continue;
    for (const thing of readdirSync(certs).sort()) {
      if (existsSync(join(certs, thing, 'thing.json'))) files.push(relative(cwd, join(certs, thing, 'thing.json')));
    }
  }
  const byEndpoint = new Map<string, SavedEndpoint>();
  for (const file of files) {
    let info: { endpoint?: unknown; port?: unknown };
    try {
      info = JSON.parse(readFileSync(join(cwd, file), 'utf8')) as typeof info;
    } catch {
      continue; // provision and doctor name a broken thing.json; it is not the gateway's to judge
    }
    if (typeof info.endpoint !== 'string' || !info.endpoint) continue;
    const port = typeof info.port === 'number' ? info.port : 8883;
    const key = `${info.endpoint}:${port}`;
    const seen = byEndpoint.get(key) ?? { endpoint: info.endpoint, port, from: [] };
    seen.from.push(file);
    byEndpoint.set(key, seen);
  }
  if (byEndpoint.size > 1) {
    const list = [...byEndpoint.values()].map((e) => `${e.endpoint}:${e.port} (${e.from.join(', ')})`).join('; ');
    throw new UserError(`The things in certs/ name different AWS IoT endpoints (${list}): pass --endpoint to choose the one this gateway forwards to.`, 'gateway-endpoint');
  }
  return byEndpoint.values().next().value;
}
