/** Reports of finished runs for comparisons, through the read cache (a finished run's report never changes). */
import type { Report } from '@numasim/shared';
import type { RunRecord } from '../store/runs-repo.js';
import type { Services } from '../http/context.js';

export function storedReport(s: Services, id: string): Report | undefined {
  let json = s.readCache.get(`report:${id}`);
  if (json === undefined) {
    json = s.repo.reportJson(id);
    if (json === undefined) return undefined;
    s.readCache.set(`report:${id}`, json);
  }
  return JSON.parse(json) as Report;
}

export function withReports(s: Services, runs: readonly RunRecord[]): { run: RunRecord; report: Report | undefined }[] {
  return runs.map((run) => ({ run, report: run.status === 'succeeded' ? storedReport(s, run.id) : undefined }));
}
