// The calls that talk to ECS (attach, isattached, detach, expandvolume), as one file of the build
// (scripts/bundle-flexvolume.mjs) that main.ts imports for them: the mount code is not in it.
import { attach, detach, expandVolume, isattached } from './cloud-calls.js';
import { dispatch as dispatchWith, run as runWith, type Handler } from './dispatch.js';

export { redactSecrets } from '../util/secrets.js';

export const HANDLERS: Readonly<Record<string, Handler>> = {
  attach,
  isattached,
  detach,
  expandvolume: expandVolume,
};

export const dispatch = (argv: string[], env: NodeJS.ProcessEnv, driverPath: string | undefined) =>
  dispatchWith(HANDLERS, argv, env, driverPath);

export const run = (argv: string[], env: NodeJS.ProcessEnv, driverPath: string | undefined) =>
  runWith(HANDLERS, argv, env, driverPath);
