// The emulator's own registry of credential values it was given, so its logs never print them.
// Deliberately separate from the product's src/util/secrets.ts: the emulators are test doubles
// and share no code with what they test (a shared bug would cancel out).

const secrets = new Set<string>();
const MIN_SECRET_LENGTH = 4; // shorter strings would redact ordinary words

export function registerSecret(value: string | undefined | null): void {
  if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) secrets.add(value);
}

export function redactSecrets(text: string): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('***');
  return out;
}
