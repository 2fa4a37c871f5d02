// The one place the product loads @kubernetes/client-node at run time. Only its KubeConfig is
// used (kubeconfig/in-cluster loading, authenticators), but the package's dist/config.js imports
// the whole generated API (gen/index.js: every model and API class, ~60 MiB of RSS). Importing
// dist/config.js directly is not lighter on its own, so the build (scripts/bundle-client-node.mjs)
// replaces this file's output with an esbuild bundle in which gen/index.js is cut down to the two
// names config.js uses. Under tsx (tests) this file runs as written, against the full package.
export { KubeConfig } from '@kubernetes/client-node/dist/config.js';
export type { Cluster, User } from '@kubernetes/client-node/dist/config_types.js';
