// What every SIEM sink implements. The forwarder hands a sink one ordered batch at a time and
// only moves its cursor when the sink says the batch was accepted.
import type { ChainRecord } from '../../core/compliance.js';

export interface SinkRecord {
  rec: ChainRecord;
  line: string; // recordLine(rec): the record as JSON
}

export type SendOutcome =
  | { ok: true }
  // Nothing (or not everything) was accepted, for a reason that may pass (receiver down, 5xx, 429,
  // auth or configuration): the same batch is sent again after a backoff.
  | { ok: false; retryable: true; error: string }
  // The receiver refused content for good. `rejected` names the refused batch positions when the
  // receiver says which (the others were accepted); without it the forwarder splits the batch.
  | { ok: false; retryable: false; error: string; rejected?: number[] };

export interface Sink {
  readonly name: string;
  readonly type: string;
  send(batch: readonly SinkRecord[]): Promise<SendOutcome>;
  close(): Promise<void>;
}

export function parsed(r: SinkRecord): Record<string, unknown> {
  return JSON.parse(r.line) as Record<string, unknown>;
}
