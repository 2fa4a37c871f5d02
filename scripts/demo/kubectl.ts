// The real kubectl against the Kubernetes API emulator. KUBECONFIG goes in the environment rather
// than a flag, so the command the demo prints is exactly the one a user would type.
import { execFile } from 'node:child_process';
import { checkpoint } from './poll.js';

export class KubectlError extends Error {
  override name = 'KubectlError';
}

export class Kubectl {
  constructor(private readonly kubeconfig: string) {}

  run(args: readonly string[], input?: string): Promise<string> {
    checkpoint();
    return new Promise((resolve, reject) => {
      const child = execFile(
        'kubectl',
        [...args],
        {
          env: {
            PATH: process.env.PATH ?? '/usr/bin:/bin',
            HOME: process.env.HOME ?? '/',
            KUBECONFIG: this.kubeconfig,
          },
          timeout: 20_000,
        },
        (err, stdout, stderr) => {
          if (err) reject(new KubectlError(`kubectl ${args.join(' ')}: ${stderr.trim() || err.message}`));
          else resolve(stdout);
        },
      );
      child.stdin?.end(input ?? '');
    });
  }

  /** `kubectl apply -f -` with a manifest given as an object. */
  apply(manifest: object): Promise<string> {
    return this.run(['apply', '-f', '-'], JSON.stringify(manifest));
  }

  async json<T>(args: readonly string[]): Promise<T> {
    return JSON.parse(await this.run([...args, '-o', 'json'])) as T;
  }
}

/** Whether a kubectl binary answers at all (the demo needs one). */
export function kubectlAvailable(): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('kubectl', ['version', '--client'], { timeout: 10_000 }, (err) => resolve(!err));
  });
}
