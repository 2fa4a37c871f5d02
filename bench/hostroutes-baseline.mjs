// The yardstick of bench/hostroutes.ts, not a product: a host-routes agent written the simplest
// way, run beside alicloud-hostroutes so every figure is a ratio measured in the same run on the
// same machine. One list, one watch, and for each Node one `ip route replace` (or `route del`)
// line written to a single long-lived `ip -batch -`: the same one-request-per-route shape as the
// Go original's netlink calls, without paying a process spawn per Node (5–30 ms each on a busy
// machine, which would measure fork() rather than routing). It validates nothing, has no auth,
// no retries and no drift repair, and owns nothing but its protocol number: never point it at a
// real cluster. Plain JavaScript so Node runs it without a TypeScript loader inflating its RSS.
//   node bench/hostroutes-baseline.mjs <apiserver URL> <self node name> <route protocol>
import { spawn } from 'node:child_process';
import { request } from 'node:http';

const [server = '', self = '', proto = '201'] = process.argv.slice(2);
/** Node name → the route last written for it. */
const routes = new Map();
const ip = spawn('ip', ['-force', '-batch', '-'], { stdio: ['pipe', 'ignore', 'inherit'] });
ip.on('exit', (code) => {
  console.error(`ip -batch exited ${code}`);
  process.exit(1);
});

function get(path) {
  return new Promise((resolve, reject) => request(new URL(path, server), resolve).on('error', reject).end());
}

function apply(type, node) {
  const name = node.metadata?.name ?? '';
  if (name === self) return;
  const cidr = node.spec?.podCIDR;
  const via = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  const old = routes.get(name);
  const wanted = type !== 'DELETED' && cidr && via ? { cidr, via } : undefined;
  if (old && (!wanted || old.cidr !== wanted.cidr)) {
    routes.delete(name);
    ip.stdin.write(`route del ${old.cidr} proto ${proto}\n`);
  }
  if (wanted && (old?.cidr !== wanted.cidr || old.via !== wanted.via)) {
    routes.set(name, wanted);
    ip.stdin.write(`route replace ${wanted.cidr} via ${wanted.via} proto ${proto}\n`);
  }
}

const listing = await get('/api/v1/nodes');
let body = '';
listing.setEncoding('utf8');
for await (const chunk of listing) body += chunk;
const list = JSON.parse(body);
for (const node of list.items) apply('ADDED', node);

const watch = await get(`/api/v1/nodes?watch=true&resourceVersion=${list.metadata.resourceVersion}`);
watch.setEncoding('utf8');
let rest = '';
for await (const chunk of watch) {
  const lines = (rest + chunk).split('\n');
  rest = lines.pop() ?? '';
  for (const line of lines) {
    if (!line.trim()) continue;
    const event = JSON.parse(line);
    apply(event.type, event.object);
  }
}
