// The host tools' logger: every line passes through redaction of registered secrets and of any
// PEM private key block before it is written. It does not format, colour or buffer.

export interface Logger {
  /** Results and data (one event, one JSON line): stdout, so pipes get only data. */
  out(line: string): void;
  /** Progress and status: stderr. */
  info(line: string): void;
  /** Something the user should look at; the run continues. stderr, prefixed "warning:". */
  warn(line: string): void;
  error(line: string): void;
  /** Only with verbose. */
  debug(line: string): void;
  /** Never print `value` again, in any line (also its JSON-escaped and base64 forms). */
  addSecret(value: string | Uint8Array | undefined | null): void;
  /** The redaction every line gets, for callers that write elsewhere (files, errors). */
  redact(text: string): string;
}

export interface LoggerOptions {
  stdout?: (line: string) => void;
  stderr?: (line: string) => void;
  verbose?: boolean;
}

export const REDACTED = '[redacted]';

// Secrets shorter than this are ignored: masking every "a" in the output would hide everything
// and protect nothing (WPA2 passwords are 8+ characters, keys far longer).
const MIN_SECRET_LENGTH = 4;

// Any "-----BEGIN ... PRIVATE KEY-----" block (PKCS#1 RSA, SEC1 EC, PKCS#8, encrypted, OpenSSH),
// also when it is cut short or escaped inside a JSON string.
const PRIVATE_KEY_BLOCK = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g;

/** Masks every PEM private key block in `text`, whatever else is registered. */
export function redactPrivateKeys(text: string): string {
  return text.replace(PRIVATE_KEY_BLOCK, (_m, kind: string) => `-----BEGIN ${kind}PRIVATE KEY----- ${REDACTED} -----END ${kind}PRIVATE KEY-----`);
}

function formsOf(value: string | Uint8Array): string[] {
  if (typeof value !== 'string') {
    const buf = Buffer.from(value);
    // Binary secrets reach output as base64 (atob() payloads), hex, or one char per byte.
    return [buf.toString('base64'), buf.toString('hex'), buf.toString('latin1')];
  }
  const forms = [value, JSON.stringify(value).slice(1, -1)];
  // A PEM body without its armour is what ends up in atob("...") calls and DER dumps.
  const body = /-----BEGIN [^-]+-----([\s\S]*?)-----END [^-]+-----/.exec(value);
  if (body) forms.push(body[1].replace(/\s+/g, ''));
  return forms;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const stdout = options.stdout ?? ((line: string) => process.stdout.write(line + '\n'));
  const stderr = options.stderr ?? ((line: string) => process.stderr.write(line + '\n'));
  const secrets: string[] = [];

  function redact(text: string): string {
    let result = redactPrivateKeys(text);
    for (const secret of secrets) if (result.includes(secret)) result = result.split(secret).join(REDACTED);
    return result;
  }

  return {
    out: (line) => stdout(redact(line)),
    info: (line) => stderr(redact(line)),
    warn: (line) => stderr(redact(`warning: ${line}`)),
    error: (line) => stderr(redact(line)),
    debug: (line) => {
      if (options.verbose) stderr(redact(line));
    },
    addSecret(value) {
      if (value === undefined || value === null) return;
      for (const form of formsOf(value)) {
        if (form.length >= MIN_SECRET_LENGTH && !secrets.includes(form)) secrets.push(form);
      }
      // Longest first, so a secret that contains another is masked whole.
      secrets.sort((a, b) => b.length - a.length);
    },
    redact,
  };
}

/** A logger that keeps lines in memory: for tests and for commands run inside other commands. */
export function createMemoryLogger(verbose = false): Logger & { lines: string[]; outLines: string[] } {
  const lines: string[] = [];
  const outLines: string[] = [];
  const logger = createLogger({ stdout: (l) => outLines.push(l), stderr: (l) => lines.push(l), verbose });
  return Object.assign(logger, { lines, outLines });
}
