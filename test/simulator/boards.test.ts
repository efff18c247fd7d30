// The offline board JSON files the Espruino CLI reads with --board agree with the simulator profiles.
import fs from 'node:fs';
import path from 'node:path';
import { boards } from '../../tools/simulator/boards';

for (const profile of Object.values(boards)) {
  test(`config/boards/${profile.board}.json lists the ${profile.name} built-in modules and version`, () => {
    const json = JSON.parse(fs.readFileSync(path.resolve(__dirname, `../../config/boards/${profile.board}.json`), 'utf8'));
    expect(json.info.builtin_modules).toEqual(profile.modules);
    expect(json.info.binary_version).toBe(profile.version);
    expect(json.chip.saved_code.pages * json.chip.saved_code.page_size).toBe(profile.storageBytes);
    expect(json.info.variables).toBe(profile.jsVars);
  });
}

test('ESP8266 has no tls module; ESP32 has it', () => {
  expect(boards.esp8266.modules).not.toContain('tls');
  expect(boards.esp32.modules).toContain('tls');
});
