// Runs one of our TypeScript entry points (tools/cli.ts, tools/fuzz/cli.ts) as a user would: a
// child process under tsx, with a deadline so a hang fails the test instead of stalling the suite.
import { spawn } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');

export interface ToolRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `entry` is relative to the project; `cwd` (default the project) is where the user runs it from. */
export function runTool(entry: string, args: string[], timeoutMs = 60000, cwd = ROOT): Promise<ToolRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, entry), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code, stdout, stderr });
    });
  });
}
