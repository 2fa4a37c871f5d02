// Runs system tools with argument arrays (never a shell), a timeout and a fixed PATH, and
// returns the exit code instead of throwing so callers can interpret tool-specific codes.
// node:child_process is fetched when a tool is run, not imported: it loads net and stream, about a
// tenth of a driver call, and most calls that import this module return before running anything.

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export function run(file: string, args: string[], timeoutMs = 120_000): Promise<RunResult> {
  const { execFile } = process.getBuiltinModule('node:child_process');
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { timeout: timeoutMs, env: { PATH, LC_ALL: 'C' }, maxBuffer: 4 << 20 },
      (err, stdout, stderr) => {
        const e = err as (NodeJS.ErrnoException & { code?: number | string }) | null;
        let code = 0;
        if (e) code = typeof e.code === 'number' ? e.code : e.code === 'ENOENT' ? 127 : 1;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}
