// The build deletes the names of boot-only factories after boot (tools/build/boot-only-names.ts):
// only names whose own function assigns them 0, nothing else.
import { bootOnlyNames, deleteBootOnlyNames } from '../../tools/build/boot-only-names';

test('a top-level factory that clears its own name is listed; other functions and variables are not', () => {
  const code = [
    'var a=function(x,o){o&&(a=0);return x}',
    'var b=function(){b=1}', // not 0: not a self-free
    'var c=function(){a=0}', // clears another name, not its own
    'function d(){d=0}', // a declaration, not the factory shape the firmware uses
    'var e=0,f={g:function(){f=0}}', // an object, not a function initializer
    'var h=function(){if(1){h=0}}',
    '(function(){a(1,1)})()',
  ].join(';');
  expect(bootOnlyNames(code)).toEqual(['a', 'h']);
  expect(deleteBootOnlyNames(code)).toBe('delete a;delete h;');
  expect(deleteBootOnlyNames('var x=1')).toBe('');
});

test("the firmware bundle's last line deletes each boot-only factory's name (8 JsVars on 2v29), after the boot code", async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { buildFirmware } = await import('../../tools/build/build-firmware');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'boot-only-'));
  try {
    const outFile = path.join(dir, 'firmware.js');
    await buildFirmware({ cwd: path.resolve(__dirname, '../..'), outFile, log: () => {} });
    const lines = fs.readFileSync(outFile, 'utf8').trimEnd().split('\n');
    const last = lines[lines.length - 1];
    expect(last).toMatch(/^(delete [\w$]+;)+$/);
    expect(last.split(';').filter(Boolean).length).toBeGreaterThanOrEqual(8); // config, LED, outbox, connection, app, gestures, Wi-Fi, gateway
    expect(lines[lines.length - 2]).toMatch(/\}\)\(\);$/); // the boot code ran before
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 30000);
