// The interop suites need mosquitto: under CI its absence fails them, on a developer's machine it
// skips them with a loud warning.
import { findMosquitto, mosquittoPlan } from '../support/mosquitto';

test('a missing mosquitto fails under CI and is skipped only where CI is unset', () => {
  expect(mosquittoPlan(true, undefined)).toBe('run');
  expect(mosquittoPlan(true, 'true')).toBe('run');
  expect(mosquittoPlan(false, 'true')).toBe('fail');
  expect(mosquittoPlan(false, '1')).toBe('fail');
  expect(mosquittoPlan(false, undefined)).toBe('skip');
  expect(mosquittoPlan(false, '')).toBe('skip');
});

test('under CI, mosquitto is installed (.ci/run installs it)', () => {
  if (!process.env.CI) return; // a developer's machine may lack it; the suites say so loudly
  expect(findMosquitto()).toMatch(/mosquitto$/);
});
