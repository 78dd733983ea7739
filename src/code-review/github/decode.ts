// A webhook body as GitHub sends it: application/json, or application/x-www-form-urlencoded with
// the JSON in the `payload` field (the hook's "content type" setting). Decoded only after the
// signature over the raw bytes has been verified.
export type Decoded = { ok: true; payload: unknown } | { ok: false; reason: string };

export function decodeWebhookBody(raw: Buffer, contentType: string): Decoded {
  let text = raw.toString('utf8');
  if (contentType === 'application/x-www-form-urlencoded') {
    const payload = new URLSearchParams(text).get('payload');
    if (payload === null) return { ok: false, reason: 'form body has no "payload" field' };
    text = payload;
  } else if (contentType !== 'application/json' && contentType !== '') {
    return {
      ok: false,
      reason:
        `content-type "${contentType}" is not a GitHub webhook format ` +
        '(application/json or application/x-www-form-urlencoded)',
    };
  }
  try {
    const payload = JSON.parse(text);
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
      return { ok: false, reason: 'body is not a JSON object' };
    return { ok: true, payload };
  } catch (e) {
    return { ok: false, reason: `body is not valid JSON: ${(e as Error).message}` };
  }
}
