// `--state FILE`: the cloud outlives the emulator process, so crash tests can restart it and
// find the same resources. Writes go to a temp file and are renamed, so a kill mid-write never
// leaves a torn file behind.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { DEFAULT_CONFIG, type CloudState } from './state.js';
import { settleTransitions } from './seed.js';
import { DEFAULT_NLB_CONFIG, emptyNlbState } from './nlb/types.js';
import { settleNlb } from './nlb/jobs.js';

export function loadState(file: string): CloudState | undefined {
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  if (text.trim() === '') return undefined;
  const state = JSON.parse(text) as CloudState;
  state.config = { ...DEFAULT_CONFIG, ...state.config };
  // Files written before Nlb existed have no `nlb`; newer settings get their defaults.
  const nlb = state.nlb as Partial<CloudState['nlb']> | undefined;
  state.nlb = { ...emptyNlbState(), ...nlb, config: { ...DEFAULT_NLB_CONFIG, ...nlb?.config } };
  settleTransitions(state);
  settleNlb(state);
  return state;
}

export function saveState(file: string, state: CloudState): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state));
  renameSync(tmp, file);
}
