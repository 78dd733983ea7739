import type { SinkConfig } from '../../config/compliance.schema.js';
import { elasticsearchSink } from './elasticsearch.sink.js';
import { fileSink } from './file.sink.js';
import { splunkHecSink } from './splunk-hec.sink.js';
import { syslogSink } from './syslog.sink.js';
import type { Sink } from './types.js';
import { webhookSink } from './webhook.sink.js';

export function createSink(cfg: SinkConfig): Sink {
  switch (cfg.type) {
    case 'splunk_hec':
      return splunkHecSink(cfg);
    case 'elasticsearch':
      return elasticsearchSink(cfg);
    case 'syslog':
      return syslogSink(cfg);
    case 'webhook':
      return webhookSink(cfg);
    case 'file':
      return fileSink(cfg);
  }
}
