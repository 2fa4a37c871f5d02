// Every chaos scenario, in the order the suite runs them.
import type { Scenario } from './lib/scenario.js';
import { r1 } from './scenarios/r1-cloud-faults.js';
import { r2 } from './scenarios/r2-crashes.js';
import { r3 } from './scenarios/r3-failover.js';
import { r4 } from './scenarios/r4-foreign.js';
import { r5 } from './scenarios/r5-bad-input.js';
import { r6 } from './scenarios/r6-apiserver.js';
import { r7 } from './scenarios/r7-secrets.js';
import { r8 } from './scenarios/r8-hostile-tenant.js';

export const SCENARIOS: readonly Scenario[] = [r1, r2, r3, r4, r5, r6, r7, r8];
