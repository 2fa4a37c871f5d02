// The kubeconfig the emulator hands out: plain HTTP, a token user (any token is accepted).
import { stringify } from 'yaml';

export function renderKubeconfig(url: string, name = 'kube-emulator'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    // client-node refuses plain http unless TLS verification is marked off; kubectl ignores the flag for http.
    clusters: [{ name, cluster: { server: url, 'insecure-skip-tls-verify': true } }],
    users: [{ name, user: { token: 'emulator' } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}
