/**
 * Dictionary-encodes UTF-8 text straight from the bytes of a binary COPY: an open-addressing hash
 * table over byte strings, so a value seen before costs a hash and a compare, and only a new value
 * is decoded into a JS string (the expensive step, done once per distinct value, not per row).
 * Codes come from a DictionaryEncoder, so a column's dictionary is the same however its strings
 * arrived (bytes here, strings in the pure builder).
 *
 * Each entry keeps its length and its first and last four bytes packed into two integers: a
 * lookup compares those (which settles any value up to 8 bytes, most picklist values) and walks
 * the middle bytes only for longer ones. ~10 ns per lookup instead of ~40 ns for a byte-wise hash
 * and compare; a million opportunities make seven million lookups.
 */
import { AppError } from '../../domain/errors.ts';
import type { DictionaryEncoder } from '../../domain/snapshot/columns.ts';

/** Up to 4 bytes from `start`, little-endian; 0 for missing bytes (the length tells them apart). */
function packed(bytes: Uint8Array, start: number, count: number): number {
  if (count >= 4)
    return bytes[start]! | (bytes[start + 1]! << 8) | (bytes[start + 2]! << 16) | (bytes[start + 3]! << 24);
  let word = 0;
  for (let i = 0; i < count; i++) word |= bytes[start + i]! << (8 * i);
  return word;
}

function mix(head: number, tail: number, length: number): number {
  let hash = Math.imul(head ^ Math.imul(tail, 0x9e3779b1) ^ Math.imul(length, 0x85ebca6b), 0xc2b2ae35);
  hash ^= hash >>> 15;
  return hash;
}

/** Codes of UTF-8 byte strings, shared with a DictionaryEncoder. */
export class ByteDictionary {
  private slots = new Int32Array(64).fill(-1);
  private entryStart = new Int32Array(32);
  private entryLength = new Int32Array(32);
  private entryHead = new Int32Array(32);
  private entryTail = new Int32Array(32);
  private entryCode = new Int32Array(32);
  private entries = 0;
  private bytes = new Uint8Array(1024);
  private bytesUsed = 0;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  constructor(readonly encoder: DictionaryEncoder) {}

  /** The code of the UTF-8 string in `source[start .. start + length)`. */
  codeOf(source: Uint8Array, start: number, length: number): number {
    const head = packed(source, start, length < 4 ? length : 4);
    const tail = length <= 4 ? head : packed(source, start + length - 4, 4);
    const mask = this.slots.length - 1;
    for (let slot = mix(head, tail, length) & mask; ; slot = (slot + 1) & mask) {
      const entry = this.slots[slot]!;
      if (entry === -1) return this.add(slot, source, start, length, head, tail);
      if (
        this.entryHead[entry] === head &&
        this.entryTail[entry] === tail &&
        this.entryLength[entry] === length
      ) {
        // Head and tail cover every byte of a value up to 8 bytes; longer ones compare the middle.
        if (length <= 8 || this.sameMiddle(entry, source, start, length)) return this.entryCode[entry]!;
      }
    }
  }

  private sameMiddle(entry: number, source: Uint8Array, start: number, length: number): boolean {
    const stored = this.entryStart[entry]!;
    for (let i = 4; i < length - 4; i++) if (this.bytes[stored + i] !== source[start + i]) return false;
    return true;
  }

  private add(
    slot: number,
    source: Uint8Array,
    start: number,
    length: number,
    head: number,
    tail: number,
  ): number {
    let text: string;
    try {
      text = this.decoder.decode(source.subarray(start, start + length));
    } catch {
      throw new AppError('internal', 'The database sent text that is not valid UTF-8');
    }
    const code = this.encoder.encode(text);
    if (this.entries === this.entryStart.length) {
      this.entryStart = grow(this.entryStart);
      this.entryLength = grow(this.entryLength);
      this.entryHead = grow(this.entryHead);
      this.entryTail = grow(this.entryTail);
      this.entryCode = grow(this.entryCode);
    }
    while (this.bytesUsed + length > this.bytes.length) {
      const bigger = new Uint8Array(this.bytes.length * 2);
      bigger.set(this.bytes);
      this.bytes = bigger;
    }
    this.bytes.set(source.subarray(start, start + length), this.bytesUsed);
    const entry = this.entries++;
    this.entryStart[entry] = this.bytesUsed;
    this.entryLength[entry] = length;
    this.entryHead[entry] = head;
    this.entryTail[entry] = tail;
    this.entryCode[entry] = code;
    this.bytesUsed += length;
    this.slots[slot] = entry;
    // Keep the table at most half full so probes stay short.
    if (this.entries * 2 > this.slots.length) this.rehash();
    return code;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2).fill(-1);
    const mask = slots.length - 1;
    for (let entry = 0; entry < this.entries; entry++) {
      let slot = mix(this.entryHead[entry]!, this.entryTail[entry]!, this.entryLength[entry]!) & mask;
      while (slots[slot] !== -1) slot = (slot + 1) & mask;
      slots[slot] = entry;
    }
    this.slots = slots;
  }
}

function grow(array: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}
