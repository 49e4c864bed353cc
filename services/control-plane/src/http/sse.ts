/**
 * Server-Sent Events for one run: its status now, then progress and status changes as they
 * happen, then its final status, and the stream ends. A client that reads slowly misses progress
 * events (never status changes) rather than making the server buffer without bound.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerResponse } from 'node:http';
import { FINISHED, type RunRecord } from '../store/runs-repo.js';
import type { RunEvent } from '../runs/executor.js';
import type { Services } from './context.js';
import { runView } from './run-view.js';

/** Progress events are skipped while this much is waiting in the socket's buffer. */
const MAX_BUFFERED_BYTES = 64 * 1024;
const HEARTBEAT_MS = 15_000;

const open = new Set<ServerResponse>();

/** Ends every open stream (at shutdown, so the server can close). */
export function endAllStreams(): void {
  for (const res of open) res.end();
  open.clear();
}

export function openStreamCount(): number {
  return open.size;
}

/** Bytes the open streams have waiting in their sockets' user-space buffers. */
export function openStreamBufferedBytes(): number {
  let n = 0;
  for (const res of open) n += res.writableLength;
  return n;
}

export function streamRun(s: Services, run: RunRecord, req: FastifyRequest, reply: FastifyReply): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  open.add(res);
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  const cleanup = () => {
    clearInterval(heartbeat);
    s.executor.off('run', onEvent);
    open.delete(res);
  };
  const onEvent = (ev: RunEvent) => {
    if (ev.id !== run.id) return;
    if (ev.type === 'progress') {
      if (res.writableLength > MAX_BUFFERED_BYTES) return;
      send('progress', ev.progress);
      return;
    }
    const current = s.repo.get(run.id);
    if (current) send('status', runView(current, s.repo, s.executor));
    if (FINISHED.has(ev.status)) {
      send('end', { id: run.id, status: ev.status });
      cleanup();
      res.end();
    }
  };
  // Listen first, then read the state: no change can fall between the two.
  s.executor.on('run', onEvent);
  req.raw.on('close', cleanup);
  res.on('close', cleanup);
  const now = s.repo.get(run.id) ?? run;
  send('status', runView(now, s.repo, s.executor));
  if (FINISHED.has(now.status)) {
    send('end', { id: now.id, status: now.status });
    cleanup();
    res.end();
  }
}
