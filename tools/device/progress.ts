// A byte-count progress bar on stderr (cli-progress) for uploads, and a silent one for tests and
// pipes. It only draws: callers say how far they are.
import cliProgress from 'cli-progress';

export interface Progress {
  /** Adds `bytes` to what is done. */
  add(bytes: number): void;
  /** Sets what is done. */
  set(done: number): void;
  stop(): void;
}

export type ProgressFactory = (label: string, totalBytes: number) => Progress;

export const silentProgress: ProgressFactory = () => ({ add: () => {}, set: () => {}, stop: () => {} });

/** A bar on `stream` when it is a terminal; nothing otherwise (logs stay clean). */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr): ProgressFactory {
  if (!stream.isTTY) return silentProgress;
  return (label, total) => {
    const bar = new cliProgress.SingleBar(
      { stream, format: `${label} [{bar}] {percentage}% | {value}/{total} bytes | {eta}s left`, hideCursor: true, clearOnComplete: false },
      cliProgress.Presets.shades_classic,
    );
    let done = 0;
    bar.start(Math.max(1, total), 0);
    return {
      add(bytes) {
        done = Math.min(total, done + bytes);
        bar.update(done);
      },
      set(d) {
        done = Math.min(total, d);
        bar.update(done);
      },
      stop: () => bar.stop(),
    };
  };
}
