import { isDrop, type Drop, type DropReason, type EnrichedEvent, type NormalizedEvent } from '../../core/events.js';
import { identify, STEPS, type PipelineEnv, type Principal } from './steps.js';

export interface PipelineResult {
  events: EnrichedEvent[];
  drops: { index: number; reason: DropReason; detail?: string }[];
}

// Runs every normalized event through the steps; `index` is the record's position in the request.
export function runPipeline(inputs: { index: number; event: NormalizedEvent }[], principal: Principal, env: PipelineEnv): PipelineResult {
  const out: PipelineResult = { events: [], drops: [] };
  for (const { index, event } of inputs) {
    let cur: EnrichedEvent | Drop = identify(event, principal, env);
    for (const step of STEPS) {
      if (isDrop(cur)) break;
      cur = step(cur, env);
    }
    if (isDrop(cur)) out.drops.push({ index, reason: cur.reason, detail: cur.detail });
    else out.events.push(cur);
  }
  return out;
}
