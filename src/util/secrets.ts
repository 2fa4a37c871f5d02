// Process-wide registry of secret values (AccessKey secrets, STS tokens, AccessKey ids).
// Credential loaders register every value they obtain; loggers, event recorders, error
// constructors and metrics labels pass text through redactSecrets() so a secret can never leak
// even when it arrives inside an unexpected place such as a cloud error message.

const secrets = new Set<string>();
const MIN_SECRET_LENGTH = 4; // shorter strings would redact ordinary words

export const REDACTED = '***';

/** Field names whose values are credentials wherever they appear; every logger censors them. */
export const SECRET_FIELD_NAMES: readonly string[] = [
  'accessKeySecret',
  'AccessKeySecret',
  'securityToken',
  'SecurityToken',
  'accessKeyId',
  'AccessKeyId',
  'Signature',
  'token',
];

export function registerSecret(value: string | undefined | null): void {
  if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) secrets.add(value);
}

export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

/** Deep copy with every registered secret replaced in every string. */
export function redactValue<T>(value: T): T {
  if (typeof value === 'string') return redactSecrets(value) as T;
  if (Array.isArray(value)) return (value as unknown[]).map((v) => redactValue(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = redactValue(v);
    return out as T;
  }
  return value;
}

/** Test hook: forget all registered secrets. */
export function clearSecretsForTest(): void {
  secrets.clear();
}
