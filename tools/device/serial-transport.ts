// The console over a USB serial adapter at 115200 8N1 via the `serialport` package (installed with
// the espruino CLI). No flow control: the writers here wait for the device's answers instead.
import { UserError } from '../shared/errors';
import { CONSOLE_BAUD, createLink, type OpenOptions, type Transport } from './link';

interface SerialPortLike {
  write(data: Buffer, cb?: (err?: Error | null) => void): boolean;
  on(event: 'data', fn: (d: Buffer) => void): void;
  on(event: 'close' | 'error', fn: (err?: Error) => void): void;
  close(cb?: (err?: Error | null) => void): void;
  readonly isOpen: boolean;
}
type SerialPortCtor = new (o: { path: string; baudRate: number; autoOpen?: boolean; lock?: boolean }, cb?: (err: Error | null) => void) => SerialPortLike;

/** The one-sentence error for a failed open, from what the OS said. Pure, so tests need no device. */
export function serialOpenError(path: string, message: string): UserError {
  if (/cannot lock|resource busy|temporarily unavailable|ebusy|in use|access denied/i.test(message)) {
    return new UserError(
      `${path} is busy: another program has it open (a serial monitor, the Espruino IDE, screen, another npm run ...): close it and try again.`,
      'port-busy',
    );
  }
  if (/permission denied|eacces/i.test(message)) {
    return new UserError(`No permission to open ${path}: on Linux add yourself to the dialout group (sudo usermod -aG dialout $USER) and log in again.`, 'port-denied');
  }
  if (/no such file|enoent|not found|file not found/i.test(message)) {
    return new UserError(`Serial port ${path} does not exist: check the cable and the name (run without --port to list attached devices).`, 'port-not-found');
  }
  return new UserError(`Cannot open ${path} (${message.replace(/^(Error:\s*)+/, '')}): unplug and replug the board, then try again.`, 'port-busy');
}

async function loadSerialPort(): Promise<SerialPortCtor> {
  try {
    // A variable specifier: serialport is an optional dependency of the espruino package.
    const name = 'serialport';
    const mod = (await import(name)) as { SerialPort?: SerialPortCtor; default?: { SerialPort?: SerialPortCtor } };
    const ctor = mod.SerialPort ?? mod.default?.SerialPort;
    if (ctor) return ctor;
  } catch {
    // reported below
  }
  throw new UserError('The serialport package is missing (it comes with the espruino package): run npm install, or use --port tcp://HOST:23 to reach the board over Wi-Fi.', 'serialport-missing');
}

export async function openSerialTransport(path: string, opts: OpenOptions = {}): Promise<Transport> {
  const SerialPort = await loadSerialPort();
  const port = await new Promise<SerialPortLike>((resolve, reject) => {
    const p = new SerialPort({ path, baudRate: opts.baud ?? CONSOLE_BAUD, lock: true }, (err) => (err ? reject(serialOpenError(path, err.message)) : resolve(p)));
  });
  let closing = false;
  let closed = false;
  const link = createLink(
    path,
    (b) => port.write(b),
    () => closed,
    () =>
      new Promise<void>((res) => {
        closing = true;
        if (closed || !port.isOpen) return res();
        port.close(() => res());
      }),
  );
  port.on('data', link.received);
  port.on('error', () => undefined); // 'close' follows with the reason
  port.on('close', (err?: Error) => {
    if (closed) return;
    closed = true;
    if (!closing) link.ended(err ? `the serial port closed (${err.message}): was the cable pulled?` : 'the serial port closed');
  });
  return link;
}
