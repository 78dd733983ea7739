// Worker thread of steward demo's bulk-loaded days (demo-days.thread.ts): makes each day it is asked
// for (demoDay), runs it through the pipeline and builds its rows and rollups (prepareFreshEvents),
// and posts them, flat, to the thread that writes them. Nothing here touches the database.
import { parentPort, workerData } from 'node:worker_threads';
import { prepareFreshEvents } from '../../ingest/index.js';
import { demoDay } from './demo-activity.js';
import { demoPeople } from './demo-people.js';
import type { DayReply, DaysInput } from './demo-days.thread.js';

const input = workerData as DaysInput;
// The same people as the calling thread's: demoPeople is seeded by the spec alone.
const { people } = demoPeople(input.spec);
const emails = new Map(input.emails);
parentPort!.on('message', (m: { index: number } | null) => {
  if (m === null) {
    parentPort!.close();
    return;
  }
  let reply: DayReply;
  try {
    const day = demoDay(input.spec, people, m.index, false);
    const inputs = day.events.map((event, index) => ({ index, event }));
    const prepared = prepareFreshEvents(input.principal, inputs, { ...input.ingest, emails });
    reply = { index: m.index, events: day.events.length, prepared };
  } catch (e) {
    reply = { index: m.index, events: 0, error: (e as Error).stack ?? String(e) };
  }
  parentPort!.postMessage(reply);
});
