// The calls that touch only this host (waitforattach, mountdevice, unmountdevice, expandfs), as one
// file of the build (scripts/bundle-flexvolume.mjs) that main.ts imports for them: no cloud client.
import { expandFs, mountDevice, unmountDevice, waitForAttach } from './node-calls.js';
import { dispatch as dispatchWith, run as runWith, type Handler } from './dispatch.js';

export { redactSecrets } from '../util/secrets.js';

export const HANDLERS: Readonly<Record<string, Handler>> = {
  waitforattach: waitForAttach,
  mountdevice: mountDevice,
  unmountdevice: unmountDevice,
  expandfs: expandFs,
};

export const dispatch = (argv: string[], env: NodeJS.ProcessEnv, driverPath: string | undefined) =>
  dispatchWith(HANDLERS, argv, env, driverPath);

export const run = (argv: string[], env: NodeJS.ProcessEnv, driverPath: string | undefined) =>
  runWith(HANDLERS, argv, env, driverPath);
