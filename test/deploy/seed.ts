// Reads the kube-aliyun seed fixture (test/fixtures/kube-aliyun/) and turns it into what the kubelet
// would run: the container command, and the env with ${...} placeholders filled and secretKeyRef
// values read from the Secret in the API (as the kubelet resolves them).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

export const FIXTURE_DIR = join(process.cwd(), 'test/fixtures/kube-aliyun');

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface SeedPod {
  metadata: { name: string; namespace: string };
  spec: { hostNetwork?: boolean; containers: Array<{ name: string; image: string; command: string[]; env: EnvVar[] }> };
}

export function readSeedPod(): SeedPod {
  return parse(readFileSync(join(FIXTURE_DIR, 'kube-aliyun.yaml'), 'utf8')) as SeedPod;
}

export function fill(text: string, values: Record<string, string>): string {
  return text.replace(/\$\{([A-Z_]+)\}/g, (m, k: string) => values[k] ?? m);
}

/** The seed's `kubectl create secret …` line as an argv (without `kubectl`), placeholders filled. */
export function seedSecretCommand(values: Record<string, string>): string[] {
  const line = fill(readFileSync(join(FIXTURE_DIR, 'create-secret.txt'), 'utf8').trim(), values);
  const words = line.split(/\s+/);
  if (words[0] !== 'kubectl') throw new Error('seed secret command must start with kubectl');
  return words.slice(1);
}

/** Env as the kubelet would build it: literal values filled, secretKeyRef looked up. */
export function resolveEnv(env: EnvVar[], values: Record<string, string>, secret: (name: string, key: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of env) {
    if (e.value !== undefined) out[e.name] = fill(e.value, values);
    else if (e.valueFrom?.secretKeyRef) out[e.name] = secret(e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key);
    else throw new Error(`unsupported env source for ${e.name}`);
  }
  return out;
}
