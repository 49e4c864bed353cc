/**
 * The store's WAL checkpoints, on a thread of their own. A checkpoint copies the write-ahead log
 * into the database file and syncs both to disk; run by SQLite inside whichever commit crosses the
 * WAL size limit, that sync stalled the event loop — hundreds of milliseconds on a busy disk. Here
 * a second connection checkpoints every `everyMs` in PASSIVE mode, which never waits for readers
 * or writers. The log starts over only after a checkpoint that copied every frame, so a pass that
 * a commit overtook is followed at once by another, which has only the new frames to copy (the
 * main connection keeps a far higher automatic checkpoint as a backstop, db.ts).
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

const { path, everyMs } = workerData as { path: string; everyMs: number };
const db = new Database(path);
let lastError: string | undefined;

function checkpoint(): void {
  for (let pass = 0; pass < 3; pass++) {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    if (r.log === r.checkpointed) return;
  }
}

const timer = setInterval(() => {
  try {
    checkpoint();
    lastError = undefined;
  } catch (e) {
    // Reported once per distinct failure (a full disk fails every second until it is not).
    const msg = (e as Error).message;
    if (msg !== lastError) parentPort?.postMessage({ error: msg });
    lastError = msg;
  }
}, everyMs);

parentPort?.on('message', (m: { close?: boolean }) => {
  if (!m.close) return;
  clearInterval(timer);
  db.close();
  parentPort?.close();
});
