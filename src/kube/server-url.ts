// The apiserver address as users write it (`10.0.0.1:6443`, `https://api/`, `http://127.0.0.1:8080`)
// turned into one canonical URL. Imports nothing, so the lean hostroutes agent shares it with the
// manager's kubeconfig loader without loading client-node.

/** The canonical URL, or the reason `raw` is not one, naming `what` (the flag or field it came from). */
export function normalizeServer(raw: string, what: string): { url: string } | { error: string } {
  const withScheme = /^[a-z]+:\/\//i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { error: `${what}: invalid URL "${raw}"` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { error: `${what}: unsupported scheme "${url.protocol}"` };
  return { url: url.toString().replace(/\/+$/, '') };
}
