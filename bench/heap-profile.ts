// Where a process's live memory was allocated, from a V8 sampling heap profile (`--heap-prof`):
// the bench prints this beside a missed memory target so the gap comes with its explanation.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

/** The `top` allocation sites by live bytes, one line each: MiB, function, file:line. */
export function summarizeHeapProfile(path: string, top = 15): string[] {
  const root = (JSON.parse(readFileSync(path, 'utf8')) as { head: ProfileNode }).head;
  const bySite = new Map<string, number>();
  let total = 0;
  const walk = (n: ProfileNode) => {
    const f = n.callFrame;
    const file = f.url.replace(/^.*\/(node_modules|dist|src)\//, '$1/');
    const site = `${f.functionName || '(anonymous)'} ${file}:${f.lineNumber + 1}`;
    bySite.set(site, (bySite.get(site) ?? 0) + n.selfSize);
    total += n.selfSize;
    for (const c of n.children) walk(c);
  };
  walk(root);
  const mib = (b: number) => (b / 1024 / 1024).toFixed(1).padStart(6);
  return [
    `${mib(total)} MiB sampled live heap; top allocation sites:`,
    ...[...bySite]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([site, bytes]) => `${mib(bytes)} MiB  ${site}`),
  ];
}
