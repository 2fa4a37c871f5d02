// /_emulator/nlb…: inspect the emulated NLB and tune it (job delay, provisioning delay, quotas).
//   GET  /_emulator/nlb          → { config, loadBalancers, listeners, serverGroups, jobs, locks }
//   POST /_emulator/nlb/config   → merge numeric settings, e.g. {"jobMs": 0, "listenersPerLoadBalancer": 2}
//   POST /_emulator/nlb/settle   → finish every running job and provisioning now
import type { CloudState } from '../state.js';
import { settleNlb } from './jobs.js';
import { DEFAULT_NLB_CONFIG, type NlbConfig } from './types.js';

export interface AdminAnswer {
  status: number;
  body: unknown;
}

function setConfig(state: CloudState, json: unknown): AdminAnswer {
  if (!json || typeof json !== 'object' || Array.isArray(json))
    return { status: 400, body: { error: 'body must be a JSON object' } };
  const next: NlbConfig = { ...state.nlb.config };
  for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
    if (!(k in DEFAULT_NLB_CONFIG))
      return {
        status: 400,
        body: {
          error: `unknown nlb setting ${JSON.stringify(k)} (known: ${Object.keys(DEFAULT_NLB_CONFIG).join(', ')})`,
        },
      };
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
      return { status: 400, body: { error: `nlb setting ${k} must be a non-negative integer` } };
    next[k as keyof NlbConfig] = v;
  }
  state.nlb.config = next;
  return { status: 200, body: { ok: true, config: next } };
}

/** Undefined when the path is not an NLB admin route. */
export function nlbAdmin(
  state: CloudState,
  method: string,
  path: string,
  json: unknown,
): AdminAnswer | undefined {
  if (path === '/_emulator/nlb' && method === 'GET') return { status: 200, body: state.nlb };
  if (path === '/_emulator/nlb/config' && method === 'POST') return setConfig(state, json);
  if (path === '/_emulator/nlb/settle' && method === 'POST') {
    settleNlb(state);
    return { status: 200, body: { ok: true } };
  }
  return undefined;
}
