// Asks for a secret (the Wi-Fi password) on the terminal without echoing it. Only when stdin is a
// terminal: scripts pass --wifi-password or WIFI_PASSWORD instead.
import { UserError } from '../shared/errors';

export type AskSecret = (question: string) => Promise<string>;

export const askSecretOnTerminal: AskSecret = (question) => {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const err = new UserError('No Wi-Fi password given and no terminal to ask on: pass --wifi-password or set WIFI_PASSWORD (for an open network, --wifi-password "").', 'wifi-password-missing');
    return Promise.reject(err);
  }
  process.stderr.write(question);
  return new Promise((resolve, reject) => {
    let answer = '';
    stdin.setRawMode(true);
    stdin.resume();
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(answer);
    };
    const onData = (d: Buffer) => {
      for (const ch of d.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new UserError('Cancelled: nothing was written to the device.', 'cancelled'));
        if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1);
        else if (ch >= ' ') answer += ch;
      }
    };
    stdin.on('data', onData);
  });
};
