/** Shapes the page's pure modules share; no DOM here, so Node tests import them too. */

/** A JSON Schema fragment, as far as the form reads one. */
export interface FieldSchema {
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: FieldSchema[];
  oneOf?: FieldSchema[];
  minimum?: number;
  maximum?: number;
  default?: unknown;
  properties?: Record<string, FieldSchema>;
}

export interface SweepCompare {
  id: string;
  status: string;
  parameters: string[];
  metrics: string[];
  rows: { id: string; status: string; seed: number; params: Record<string, unknown> | null; values: Record<string, number | string | null> }[];
}
