// A worker thread that draws production files (letter-file.ts) off the interface thread. It
// takes one job at a time from its parent and answers with the file's PDF bytes (transferred,
// not copied) and each letter's outcome; a job that throws is answered with the error.
import { parentPort } from 'node:worker_threads';
import { produceFile, type FileJob } from './letter-file';

interface JobMessage {
  id: number;
  job: FileJob;
}

const port = parentPort;
if (!port) throw new Error('letter.worker.ts runs only as a worker thread.');

port.on('message', (msg: JobMessage) => {
  produceFile(msg.job).then(
    (result) => {
      // Only bytes that own their whole buffer move; a view into a shared pool is copied.
      const transfer = [result.pdf, ...result.letters.map((l) => l.pdf)]
        .filter((b): b is Uint8Array => b !== null && b.byteOffset === 0 && b.byteLength === b.buffer.byteLength)
        .map((b) => b.buffer as ArrayBuffer);
      port.postMessage({ id: msg.id, ok: true, result }, [...new Set(transfer)]);
    },
    (error: unknown) => port.postMessage({ id: msg.id, ok: false, error: (error as Error).message ?? String(error) }),
  );
});
