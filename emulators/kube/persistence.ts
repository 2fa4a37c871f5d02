// --state FILE: the store is written (debounced, atomically via rename) after changes and on
// close, and loaded at start, so a restarted emulator keeps objects and its resourceVersion.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { objectKey, type ObjectStore, type StoreSnapshot } from './store.js';

export function loadState(store: ObjectStore, file: string): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  const snap = JSON.parse(text) as StoreSnapshot;
  store.restore(snap, (_bucket, o) => objectKey(o.metadata.namespace, o.metadata.name ?? ''));
  return true;
}

export function saveState(store: ObjectStore, file: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(store.snapshot()));
  renameSync(tmp, file);
}

/** Persist at most every `delayMs` while changes keep coming; returns flush (for close). */
export function persistOnChange(
  store: ObjectStore,
  file: string,
  delayMs = 50,
): { flush(): void; stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    saveState(store, file);
  };
  const off = store.onAnyChange(() => {
    timer ??= setTimeout(flush, delayMs);
  });
  return {
    flush,
    stop: () => {
      off();
      clearTimeout(timer);
    },
  };
}
