// OTLP/HTTP logs come as JSON or protobuf, and the reply goes back in the request's format. One codec
// per format: how its request decodes and how its ExportLogsServiceResponse (with partialSuccess when
// records were rejected) encodes.
import { decodeJson, decodeProtobuf, type DecodedLogs } from './decode.js';
import { ExportLogsServiceResponse } from './schema.js';

export interface PartialSuccess {
  rejectedLogRecords: number;
  errorMessage: string;
}

export interface OtlpCodec {
  name: 'json' | 'protobuf';
  /** The reply's content type. */
  contentType: string;
  /** Refuses (413) a request with more than maxRecords log records, while decoding. */
  decode(body: Buffer, maxRecords?: number): DecodedLogs;
  /** An ExportLogsServiceResponse: empty on full success. */
  encodeResponse(partial?: PartialSuccess): Buffer;
}

const response = (partial?: PartialSuccess) => (partial ? { partialSuccess: partial } : {});

const json: OtlpCodec = {
  name: 'json',
  contentType: 'application/json; charset=utf-8',
  decode: decodeJson,
  encodeResponse: (partial) => Buffer.from(JSON.stringify(response(partial))),
};

const protobuf: OtlpCodec = {
  name: 'protobuf',
  contentType: 'application/x-protobuf',
  decode: decodeProtobuf,
  encodeResponse: (partial) => {
    const message = ExportLogsServiceResponse.fromObject(response(partial));
    return Buffer.from(ExportLogsServiceResponse.encode(message).finish());
  },
};

/** The codec for each request media type OTLP/HTTP allows. */
export const OTLP_CODECS: Readonly<Record<string, OtlpCodec>> = {
  'application/json': json,
  'application/x-protobuf': protobuf,
  'application/protobuf': protobuf,
};
