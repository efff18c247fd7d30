// Argument parsers the commands share (commander calls them; the message follows "option '--x <n>'
// argument 'v' is invalid.").
import { InvalidArgumentError } from 'commander';

/** A port to listen on, or any port: 0 picks a free one. */
export function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('a port is an integer 0..65535 (0 picks a free one).');
  return n;
}

/** A port to connect to: 0 means nothing there. */
export function parseRemotePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidArgumentError('a port is an integer 1..65535.');
  return n;
}
