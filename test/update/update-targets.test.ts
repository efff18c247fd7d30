// Which things an update is for and who executes each one's job: a gateway, or the command itself
// for a direct-TLS board (thing.json's "mode": "direct" from provision, or --direct), which then
// needs the thing's certificate, key and endpoint on this computer before anything is created.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveTargets } from '../../tools/update/targets';
import { isUserError } from '../../tools/shared/errors';

let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'update-targets-'));
  const thing = (name: string, info?: object, identity = true) => {
    const d = join(cwd, 'certs', name);
    mkdirSync(d, { recursive: true });
    if (identity) {
      writeFileSync(join(d, 'certificate.pem.crt'), 'cert');
      writeFileSync(join(d, 'private.pem.key'), 'key');
    }
    if (info) writeFileSync(join(d, 'thing.json'), JSON.stringify(info));
  };
  thing('gw-1', { thing: 'gw-1', endpoint: 'a-ats.iot.eu-west-1.amazonaws.com', port: 8883, mode: 'gateway' });
  thing('esp32-1', { thing: 'esp32-1', endpoint: 'a-ats.iot.eu-west-1.amazonaws.com', port: 8883, mode: 'direct', topicPrefix: 'acme' });
  thing('esp32-bare', { thing: 'esp32-bare', mode: 'direct' });
  thing('esp32-nokey', { thing: 'esp32-nokey', endpoint: 'x', mode: 'direct' }, false);
});
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const anchor = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (isUserError(e)) return e.anchor;
    throw e;
  }
  throw new Error('expected a UserError');
};

test('a board provisioned in direct mode is executed here, with its endpoint, prefix and identity; the others by their gateway', () => {
  const t = resolveTargets({ cwd, things: ['gw-1', 'esp32-1', 'unknown-elsewhere'] });
  expect(t.things).toEqual(['gw-1', 'esp32-1', 'unknown-elsewhere']);
  expect(t.direct).toEqual([{ thing: 'esp32-1', certDir: join(cwd, 'certs', 'esp32-1'), endpoint: 'a-ats.iot.eu-west-1.amazonaws.com', port: 8883, caPath: undefined, prefix: 'acme' }]);
});

test('--direct makes every named thing direct; --endpoint HOST:PORT wins over thing.json', () => {
  const t = resolveTargets({ cwd, thing: 'gw-1', direct: true, endpoint: '127.0.0.1:8884' });
  expect(t.direct).toMatchObject([{ thing: 'gw-1', endpoint: '127.0.0.1', port: 8884 }]);
});

test('a direct board without its certificate and key here, or without an endpoint: refused before anything is created', () => {
  expect(anchor(() => resolveTargets({ cwd, thing: 'esp32-nokey' }))).toBe('update-direct-identity');
  expect(anchor(() => resolveTargets({ cwd, thing: 'nowhere', direct: true }))).toBe('update-direct-identity');
  expect(anchor(() => resolveTargets({ cwd, thing: 'esp32-bare' }))).toBe('endpoint-missing');
});
