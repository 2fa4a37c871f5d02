// The project root, for spawned programs' working directory and the bundle's location.
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
