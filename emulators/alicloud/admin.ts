// /_emulator/… : the test-facing control plane (state, calls, faults, instances, hosts, nlb).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorCore } from './emulator.js';
import type { FaultConfig } from './faults.js';
import type { HostMetadata } from './metadata.js';
import { mergeState } from './merge/index.js';
import { releaseInstance } from './ecs/factory.js';
import { assignPodIps, releasePodIp, type PodIpInput } from './ecs/pod-ips.js';
import { sendJson } from './rpc.js';
import { nlbAdmin } from './nlb/admin.js';

function parseJson(text: string): unknown {
  if (text.trim() === '') return {};
  return JSON.parse(text);
}

export async function handleAdmin(
  core: EmulatorCore,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  body: string,
): Promise<void> {
  const method = req.method ?? 'GET';
  let json: unknown;
  try {
    json = method === 'POST' || method === 'PUT' ? parseJson(body) : undefined;
  } catch {
    sendJson(res, 400, { error: 'body is not JSON' });
    return;
  }
  try {
    if (path === '/_emulator/state' && method === 'GET') return sendJson(res, 200, core.state);
    if (path === '/_emulator/state' && method === 'POST') {
      mergeState(core.state, json);
      core.persist();
      return sendJson(res, 200, { ok: true });
    }
    if (path === '/_emulator/calls' && method === 'GET')
      return sendJson(res, 200, { calls: core.callLog.all() });
    if (path === '/_emulator/calls' && method === 'DELETE') {
      core.callLog.clear();
      return sendJson(res, 200, { ok: true });
    }
    if (path === '/_emulator/faults' && method === 'GET') return sendJson(res, 200, core.faults.snapshot());
    if (path === '/_emulator/faults' && (method === 'POST' || method === 'DELETE')) {
      core.faults.set((json ?? {}) as FaultConfig);
      return sendJson(res, 200, { ok: true });
    }
    const inst = /^\/_emulator\/instances\/([^/]+)$/.exec(path);
    if (inst && method === 'DELETE') {
      const ok = releaseInstance(core.state, decodeURIComponent(inst[1]!));
      core.persist();
      return sendJson(res, ok ? 200 : 404, ok ? { ok: true } : { error: 'no such instance' });
    }
    // Pod IPs on ENIs (Terway, ECI): POST {InstanceId?, NetworkInterfaceId?, VSwitchId?, Ips}.
    if (path === '/_emulator/pod-ips' && method === 'POST') {
      const eni = assignPodIps(core.state, (json ?? {}) as PodIpInput);
      core.persist();
      return sendJson(res, 200, { NetworkInterfaceId: eni.NetworkInterfaceId });
    }
    const podIp = /^\/_emulator\/pod-ips\/([^/]+)$/.exec(path);
    if (podIp && method === 'DELETE') {
      const ok = releasePodIp(core.state, decodeURIComponent(podIp[1]!));
      core.persist();
      return sendJson(res, ok ? 200 : 404, ok ? { ok: true } : { error: 'no ENI holds that IP' });
    }
    const host = /^\/_emulator\/hosts\/([^/]+)$/.exec(path);
    if (host && method === 'POST') {
      core.setHostMetadata(decodeURIComponent(host[1]!), json as Partial<HostMetadata>);
      return sendJson(res, 200, { ok: true });
    }
    if (host && method === 'GET') return sendJson(res, 200, core.hostMetadata(decodeURIComponent(host[1]!)));
    const nlb = nlbAdmin(core.state, method, path, json);
    if (nlb) {
      if (nlb.status === 200 && method === 'POST') core.persist();
      return sendJson(res, nlb.status, nlb.body);
    }
    if (path === '/_emulator/idle' && method === 'POST') {
      await core.idle();
      return sendJson(res, 200, { ok: true });
    }
    sendJson(res, 404, { error: `no admin route ${method} ${path}` });
  } catch (err) {
    sendJson(res, 400, { error: String(err instanceof Error ? err.message : err) });
  }
}
