// Port discovery: a given --port is validated, else the only USB serial device is used, and
// none or several stop with a list of what is there.
import { findPort, listSerialPorts, parseTcpPort, usbSerialFromDevEntries } from '../../tools/device/serial-ports';
import { UserError } from '../../tools/shared/errors';

const list = (paths: string[]) => async () => paths.map((path) => ({ path }));
/** The UserError a call fails with; a call that succeeds fails the test. */
const failure = (p: Promise<unknown>): Promise<UserError> =>
  p.then(
    (v) => {
      throw new Error(`expected a failure, got ${String(v)}`);
    },
    (e: unknown) => e as UserError,
  );

test('tcp:// addresses are validated and normalised, port 23 (telnet) by default', async () => {
  await expect(findPort('tcp://192.168.1.50:2323')).resolves.toBe('tcp://192.168.1.50:2323');
  await expect(findPort('tcp://nodemcu.local')).resolves.toBe('tcp://nodemcu.local:23');
  expect(parseTcpPort('tcp://[::1]:23')).toEqual({ host: '[::1]', port: 23, url: 'tcp://[::1]:23' });
});

test.each([
  ['tcp://:23', /no host|does not parse/],
  ['tcp://host:0', /port out of range/],
  ['tcp://host:99999', /does not parse|port out of range/],
  ['tcp://host:23/path', /has a path/],
  ['udp://host:23', /unknown scheme udp:/],
  ['tcp://user:pw@host:23', /extra parts/],
])('%s is refused with the expected form', async (spec, why) => {
  const err = await failure(findPort(spec));
  expect(err).toBeInstanceOf(UserError);
  expect(err.message).toMatch(why);
  expect(err.message).toMatch(/write it as tcp:\/\/HOST:PORT/);
  expect(err.anchor).toBe('port-invalid');
});

test('host:port without a scheme gets a hint to add tcp://', async () => {
  await expect(findPort('192.168.1.50:23')).rejects.toThrow('write it as tcp://192.168.1.50:23.');
});

test('a serial path is used when it exists and refused when it does not', async () => {
  await expect(findPort('/dev/ttyUSB0', { exists: () => true })).resolves.toBe('/dev/ttyUSB0');
  const err = await failure(findPort('/dev/ttyUSB7', { exists: () => false }));
  expect(err.message).toMatch(/Serial port \/dev\/ttyUSB7 does not exist/);
  expect(err.anchor).toBe('port-not-found');
});

test('a Windows COM name is taken as it is', async () => {
  await expect(findPort('com3', { exists: () => false })).resolves.toBe('COM3');
});

test('without --port the only USB serial device is used', async () => {
  await expect(findPort(undefined, { list: list(['/dev/ttyUSB0']) })).resolves.toBe('/dev/ttyUSB0');
});

test('without --port and no device: what to check', async () => {
  const err = await failure(findPort(undefined, { list: list([]) }));
  expect(err.message).toMatch(/No USB serial device found: .*data cable.*CP210x or CH340.*--port/);
  expect(err.anchor).toBe('port-none');
});

test('without --port and several devices: lists them and asks for --port', async () => {
  const several = async () => [{ path: '/dev/ttyUSB0', manufacturer: 'Silicon Labs', vendorId: '10c4', productId: 'ea60' }, { path: '/dev/ttyACM0' }];
  const err = await failure(findPort(undefined, { list: several }));
  expect(err.message).toBe('Several serial devices are attached (/dev/ttyUSB0 (Silicon Labs 10c4:ea60), /dev/ttyACM0): pass --port with the one to use.');
  expect(err.anchor).toBe('port-several');
});

test('the /dev fallback keeps only USB serial names, sorted', () => {
  const entries = ['tty0', 'ttyS0', 'ttyUSB1', 'ttyACM0', 'ttyUSB0', 'cu.usbserial-1410', 'cu.Bluetooth-Incoming-Port', 'null'];
  expect(usbSerialFromDevEntries(entries).map((p) => p.path)).toEqual(['/dev/cu.usbserial-1410', '/dev/ttyACM0', '/dev/ttyUSB0', '/dev/ttyUSB1']);
});

test('listing never throws, even where the serialport bindings cannot list (no udevadm)', async () => {
  const ports = await listSerialPorts();
  expect(Array.isArray(ports)).toBe(true);
  for (const p of ports) expect(p.path).toMatch(/tty|cu\.|COM/);
});
