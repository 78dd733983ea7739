import { StewardError } from '../../core/errors.js';
/** The 413 for a request over ingest.max_records_per_request, as OTLP collectors answer it. */
export const tooManyRecords = (max: number): StewardError =>
  new StewardError(
    'too_many_records',
    `request has more than ${max} log records (ingest.max_records_per_request = ${max}); send smaller batches`,
  );
