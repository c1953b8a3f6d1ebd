// A small pool of worker threads drawing production files (letter.worker.ts). Jobs queue until a
// worker is free; terminate() stops every worker and rejects what was queued or running, which
// is how a cancelled run abandons files not yet drawn.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FileJob, FileResult } from './letter-file';

const require = createRequire(import.meta.url);

/**
 * A new worker. From source (tsx, vitest) the TypeScript entry beside this file is required
 * through tsx's require hook by a two-line bootstrap: Node 20 applies no --import loader inside a
 * worker thread. From the electron-vite bundle, its own letter-worker.js entry.
 */
function newWorker(): Worker {
  const source = new URL('./letter.worker.ts', import.meta.url);
  if (source.protocol === 'file:' && existsSync(fileURLToPath(source))) {
    const boot = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(fileURLToPath(source))});`;
    return new Worker(boot, { eval: true });
  }
  return new Worker(new URL('./letter-worker.js', import.meta.url));
}

interface Pending {
  id: number;
  job: FileJob;
  resolve: (r: FileResult) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: Pending | null;
}

export class CancelledError extends Error {
  constructor() {
    super('Cancelled');
  }
}

/** Workers to use: one per core, at least one, at most four. */
export function defaultPoolSize(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

export class LetterPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly size = defaultPoolSize()) {}

  run(job: FileJob): Promise<FileResult> {
    if (this.closed) return Promise.reject(new CancelledError());
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, resolve, reject });
      this.pump();
    });
  }

  private spawn(): Slot {
    const slot: Slot = { worker: newWorker(), busy: null };
    slot.worker.on('message', (msg: { id: number; ok: boolean; result?: FileResult; error?: string }) => {
      const p = slot.busy;
      slot.busy = null;
      if (p && p.id === msg.id) {
        if (msg.ok && msg.result) p.resolve(msg.result);
        else p.reject(new Error(msg.error ?? 'The letter worker failed.'));
      }
      this.pump();
    });
    const lost = (error: Error) => {
      const p = slot.busy;
      slot.busy = null;
      this.slots.splice(this.slots.indexOf(slot), 1);
      if (p) p.reject(this.closed ? new CancelledError() : error);
      if (!this.closed) this.pump();
    };
    slot.worker.on('error', lost);
    slot.worker.on('exit', (code) => {
      if (this.slots.includes(slot)) lost(new Error(`The letter worker stopped (exit code ${code}).`));
    });
    this.slots.push(slot);
    return slot;
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const slot = this.slots.find((s) => s.busy === null) ?? (this.slots.length < this.size ? this.spawn() : null);
      if (!slot) return;
      const p = this.queue.shift()!;
      slot.busy = p;
      slot.worker.postMessage({ id: p.id, job: p.job });
    }
  }

  /** Stops every worker; queued and running jobs reject with CancelledError. */
  async terminate(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new CancelledError());
    const slots = this.slots.splice(0);
    for (const s of slots) {
      s.busy?.reject(new CancelledError());
      s.busy = null;
    }
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
