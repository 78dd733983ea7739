// Counts the elements of every array that is the value of a field named `field` in JSON bytes,
// without parsing: a receiver refuses a body with too many records before JSON.parse builds an
// object for each (a 170 KB gzip body can hold 10^6 of them). Stops as soon as the count passes
// `stop`. Not a validator: what it is given is parsed (and checked) afterwards; a key spelt with
// escapes is not recognised, so receivers count the parsed result too.
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

const OBJECT = 1;
const ARRAY = 2;
const COUNTED = 3;

export function countJsonArrayElements(buf: Uint8Array, field: string, stop: number): number {
  const name = Buffer.from(field, 'utf8');
  const stack: number[] = [];
  let count = 0;
  let lastStringIsField = false; // the last string read was `field` (a key when a ':' follows)
  let fieldKey = false; // a ':' after `field`: the next value is the one counted
  let first = false; // just inside a counted array: its first value not seen yet
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i]!;
    if (c <= 0x20) continue;
    const top = stack[stack.length - 1];
    if (first) {
      first = false;
      if (c !== 0x5d && ++count > stop) return count;
    }
    if (c === QUOTE) {
      const start = i + 1;
      for (i++; i < buf.length && buf[i] !== QUOTE; i++) if (buf[i] === BACKSLASH) i++;
      lastStringIsField = top === OBJECT && i - start === name.length && name.equals(buf.subarray(start, i));
      fieldKey = false;
    } else if (c === 0x3a) {
      fieldKey = lastStringIsField;
      lastStringIsField = false;
    } else if (c === 0x5b) {
      stack.push(fieldKey ? COUNTED : ARRAY);
      first = fieldKey;
      fieldKey = false;
    } else if (c === 0x7b) {
      stack.push(OBJECT);
      fieldKey = false;
    } else if (c === 0x5d || c === 0x7d) {
      stack.pop();
    } else if (c === 0x2c) {
      if (top === COUNTED && ++count > stop) return count;
      lastStringIsField = false;
    } else fieldKey = false;
  }
  return count;
}
