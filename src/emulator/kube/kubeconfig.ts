// The kubeconfig the emulator hands out: plain HTTP, a token user (any token is accepted).
import { stringify } from 'yaml';

export function renderKubeconfig(url: string, name = 'kube-emulator'): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: url } }],
    users: [{ name, user: { token: 'emulator' } }],
    contexts: [{ name, context: { cluster: name, user: name, namespace: 'default' } }],
    'current-context': name,
    preferences: {},
  });
}
