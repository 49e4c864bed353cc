export function goldenHash(out: { report: unknown; series: unknown }): string;
export function caseKey(c: { preset: string; sets: string[] }): string;
