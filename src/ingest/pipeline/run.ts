import { isDrop, type DropReason, type DropTally, type NormalizedEvent } from '../../core/events.js';
import { tallyDrops } from '../../core/events.js';
import {
  classify,
  dedupeKey,
  identify,
  price,
  redact,
  type PipelineEnv,
  type Principal,
  type Redacted,
} from './steps.js';

export interface PipelineResult {
  events: Redacted[];
  drops: { index: number; reason: DropReason; detail?: string }[];
  dropsByReason: DropTally;
}

// Runs every normalized event through the steps; `index` is the record's position in the request.
export function runPipeline(
  inputs: { index: number; event: NormalizedEvent }[],
  principal: Principal,
  env: PipelineEnv,
): PipelineResult {
  const out: PipelineResult = { events: [], drops: [], dropsByReason: {} };
  for (const { index, event } of inputs) {
    const who = identify(event, principal, env);
    const priced = isDrop(who) ? who : price(classify(dedupeKey(who)), env);
    if (isDrop(priced)) {
      out.drops.push({ index, reason: priced.reason, detail: priced.detail });
      tallyDrops(out.dropsByReason, priced.reason);
    } else out.events.push(redact(priced, env));
  }
  return out;
}
