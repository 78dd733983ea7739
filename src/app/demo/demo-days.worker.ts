// Worker thread of steward demo's bulk-loaded days (demo-days.thread.ts): makes each day it is asked
// for (prepareDay: demoDay, then the pipeline and its rows and rollups by prepareFreshEvents),
// and posts them, flat, to the thread that writes them. Nothing here touches the database.
import { parentPort, workerData } from 'node:worker_threads';
import { demoPeople } from './demo-people.js';
import { type DayReply, type DaysInput, prepareDay } from './demo-days.thread.js';

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
    reply = prepareDay(input, people, emails, m.index);
  } catch (e) {
    reply = { index: m.index, events: 0, error: (e as Error).stack ?? String(e) };
  }
  parentPort!.postMessage(reply);
});
