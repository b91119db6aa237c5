/**
 * Streams a CTF file as records without holding the document: the Header, and
 * every child of a top-level section (each Pupil, each extension Staff or Group),
 * each handed over as its own XML text with the line and column it starts at.
 * Checks well-formedness as it goes: one root, tags that close in order, attributes
 * written name="value" once each, and a file that does not stop half-way (truncated).
 * No DOCTYPE is accepted. (Entity references are checked per record by the parser.)
 *
 * Hostile files are stopped while streaming (import limits): elements nested too deep, an
 * element with too many attributes, a text node, tag, comment or CDATA section that goes on
 * too long, a record that goes on too long. Memory stays within one record plus one token,
 * and no text is scanned more than a bounded number of times.
 */
import { defaultImportLimits, type ImportLimits } from '@contactable/core';
import { failWith } from '../errors.js';
import { count, overLimit } from '../limits.js';

/** One record of the file. */
export interface XmlRecord {
  /** The top-level section it sits in ('' for the Header itself). */
  readonly section: string;
  /** Its element name. */
  readonly name: string;
  readonly text: string;
  readonly line: number;
  readonly column: number;
}

/** The root element's name and its start tag. */
export interface XmlRoot {
  readonly name: string;
  readonly startTag: string;
}

/** The limits the splitter applies. */
export type SplitLimits = Pick<ImportLimits, 'maxDepth' | 'maxAttributes' | 'maxTextLength' | 'maxRecordLength'>;

/** How to split. */
export interface SplitOptions {
  readonly limits?: SplitLimits;
  /** Sees each top-level section (a child of the root) as it opens, before any record in it. */
  readonly onSection?: (name: string, line: number, column: number) => void;
}

interface Open {
  readonly name: string;
  readonly line: number;
  readonly column: number;
}

const NAME = /^[A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?$/;
const SIMPLE_TAG = /^<[^\s/>]+\s*\/?>$/;
const TAG = /^<[^\s/>]+(?:\s+[A-Za-z_][\w.:\-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*\s*\/?>$/;
const ATTRIBUTE = /\s([A-Za-z_][\w.:\-]*)\s*=/g;

/** Splits decoded text chunks into records; `onRoot` sees the root start tag first. */
export async function* splitRecords(file: string, chunks: AsyncIterable<string>, onRoot: (root: XmlRoot) => void, options: SplitOptions = {}): AsyncGenerator<XmlRecord> {
  const limits = options.limits ?? defaultImportLimits;
  const maxText = limits.maxTextLength;
  let buf = '';
  let pos = 0;
  let line = 1;
  let column = 1;
  const stack: Open[] = [];
  let rootSeen = false;
  let recStart = -1;
  let recLine = 0;
  let recColumn = 0;
  let recSection = '';
  let recName = '';
  const out: XmlRecord[] = [];
  // Characters of text since the last tag (a text node may arrive over many chunks).
  let textRun = 0;

  // The next newline at or after a position, remembered between calls: a file with no newlines (a CTF
  // written on one line) would otherwise have the rest of the buffer searched again at every tag.
  let nlFrom = 0;
  let nlAt = -1;
  let nlSearchedTo = 0;
  const nextNewline = (from: number): number => {
    if (nlFrom <= from && nlAt >= from) return nlAt;
    const start = nlFrom <= from && nlAt < 0 && from <= nlSearchedTo ? nlSearchedTo : from;
    nlFrom = from;
    nlAt = buf.indexOf('\n', start);
    nlSearchedTo = buf.length;
    return nlAt;
  };

  const advanceTo = (to: number): void => {
    if (recStart >= 0 && to - recStart > limits.maxRecordLength) {
      overLimit(file, { line: recLine, column: recColumn, element: recName }, `this <${recName}> is longer than ${count(limits.maxRecordLength)} characters`, 'maxRecordLength', `${count(limits.maxRecordLength)} characters`);
    }
    let nl = nextNewline(pos);
    let lastNl = -1;
    while (nl >= 0 && nl < to) {
      line += 1;
      lastNl = nl;
      nl = nextNewline(nl + 1);
    }
    column = lastNl >= 0 ? to - lastNl : column + (to - pos);
    pos = to;
  };
  const here = (): { line: number; column: number } => ({ line, column });
  const malformed = (what: string, element: string | null = null): never => failWith('malformed-xml', file, { ...here(), element }, what);

  const startRecord = (section: string, name: string): void => {
    recStart = pos;
    recLine = line;
    recColumn = column;
    recSection = section;
    recName = name;
  };
  const endRecord = (end: number): void => {
    out.push({ section: recSection, name: recName, text: buf.slice(recStart, end), line: recLine, column: recColumn });
    recStart = -1;
  };

  // Consumes what it can of buf; returns false when it needs more text.
  const step = (eof: boolean): boolean => {
    const lt = buf.indexOf('<', pos);
    const textEnd = lt < 0 ? buf.length : lt;
    textRun += textEnd - pos;
    if (textRun > maxText) overLimit(file, { ...here(), element: stack[stack.length - 1]?.name ?? null }, `a text node is longer than ${count(maxText)} characters`, 'maxTextLength', `${count(maxText)} characters`);
    if (stack.length === 0 && buf.slice(pos, textEnd).trim() !== '') malformed(rootSeen ? 'there is text after the end of the document' : 'the file does not start with XML');
    advanceTo(textEnd);
    if (lt < 0) return false;
    // Every kind of markup is bounded too, so none is looked for again and again as chunks arrive.
    const need = (end: number, what: string): number => {
      if ((end >= 0 ? end : buf.length) - lt > maxText) overLimit(file, { ...here(), element: stack[stack.length - 1]?.name ?? null }, `${what} is longer than ${count(maxText)} characters`, 'maxTextLength', `${count(maxText)} characters`);
      if (end >= 0) return end;
      if (eof) failWith('truncated', file, { ...here(), element: stack[stack.length - 1]?.name ?? null }, `the file ends inside ${what}: it may have been cut short`);
      return -1;
    };
    const markup = (end: number): true => {
      advanceTo(end);
      textRun = 0;
      return true;
    };
    const next = buf.charCodeAt(lt + 1);
    // '!' (33), '/' (47), '?' (63): declarations, closing tags, processing instructions; anything else starts an element.
    if (next === 33 || next === 47 || next === 63 || Number.isNaN(next)) {
    if (buf.startsWith('<?', lt)) {
      const end = need(buf.indexOf('?>', lt + 2), 'a processing instruction');
      if (end < 0) return false;
      return markup(end + 2);
    }
    if (buf.startsWith('<!--', lt)) {
      const end = need(buf.indexOf('-->', lt + 4), 'a comment');
      if (end < 0) return false;
      return markup(end + 3);
    }
    if (buf.startsWith('<![CDATA[', lt)) {
      if (stack.length === 0) malformed('character data outside the root element');
      const end = need(buf.indexOf(']]>', lt + 9), 'a CDATA section');
      if (end < 0) return false;
      return markup(end + 3);
    }
    if (buf.length - lt < 9 && !eof) return false;
    if (buf.startsWith('<!', lt)) malformed('DOCTYPE and other declarations are not accepted in a CTF');
    if (buf.startsWith('</', lt)) {
      const end = need(buf.indexOf('>', lt), 'a closing tag');
      if (end < 0) return false;
      const name = buf.slice(lt + 2, end).trim();
      const top = stack.pop();
      if (top === undefined) malformed(`a closing tag </${NAME.test(name) ? name : '?'}> has no opening tag`);
      if (top!.name !== name) malformed(`the closing tag </${NAME.test(name) ? name : '?'}> does not match <${top!.name}> opened at line ${top!.line}`, top!.name);
      if (recStart >= 0 && ((stack.length === 1 && recSection === '') || (stack.length === 2 && recSection !== ''))) endRecord(end + 1);
      return markup(end + 1);
    }
    }
    // A start tag: find its end outside quoted attribute values (most tags have no attributes at all),
    // counting attributes as it goes so a tag with thousands is stopped before its end is found.
    let end = buf.indexOf('>', lt + 1);
    const simple = end >= 0 && end - lt <= maxText && !/["']/.test(buf.slice(lt, end));
    if (!simple) {
      let quote = '';
      let attributes = 0;
      end = -1;
      const stop = Math.min(buf.length, lt + maxText + 1);
      for (let i = lt + 1; i < stop; i++) {
        const ch = buf[i]!;
        if (quote !== '') {
          if (ch === quote) quote = '';
        } else if (ch === '"' || ch === "'") quote = ch;
        else if (ch === '=') {
          attributes += 1;
          if (attributes > limits.maxAttributes) {
            const named = /^<([^\s/>]+)/.exec(buf.slice(lt, Math.min(i, lt + 200)))?.[1] ?? '';
            overLimit(file, { ...here(), element: NAME.test(named) ? named : null }, `an element has more than ${count(limits.maxAttributes)} attributes`, 'maxAttributes', `${count(limits.maxAttributes)} attributes`);
          }
        } else if (ch === '>') {
          end = i;
          break;
        }
      }
    }
    if (end >= 0 && buf.lastIndexOf('<', end) !== lt) malformed('a tag is not closed before the next one starts');
    if (need(end, 'a start tag') < 0) return false;
    const tag = buf.slice(lt, end + 1);
    const name = /^<([^\s/>]+)/.exec(tag)?.[1] ?? '';
    if (!NAME.test(name)) malformed('an element name is not valid XML');
    if (!(simple ? SIMPLE_TAG : TAG).test(tag)) malformed('an attribute is not well-formed (name="value")', name);
    if (!simple) {
      const names = [...tag.matchAll(ATTRIBUTE)].map((m) => m[1]);
      if (new Set(names).size !== names.length) malformed('an attribute is given twice', name);
    }
    if (stack.length === 0) {
      if (rootSeen) malformed('there is a second root element', name);
      rootSeen = true;
      onRoot({ name, startTag: tag });
    }
    const selfClosing = tag.endsWith('/>');
    const depth = stack.length + 1;
    if (depth > limits.maxDepth) overLimit(file, { ...here(), element: name }, `elements nest more than ${count(limits.maxDepth)} deep`, 'maxDepth', `${count(limits.maxDepth)} levels`);
    if (depth === 2) options.onSection?.(name, line, column);
    if (recStart < 0 && ((depth === 2 && name === 'Header') || (depth === 3 && stack[1]!.name !== 'Header'))) startRecord(depth === 2 ? '' : stack[1]!.name, name);
    if (selfClosing) {
      if (recStart >= 0 && recStart === pos) endRecord(end + 1);
    } else stack.push({ name, line, column });
    return markup(end + 1);
  };

  const drain = function* (): Generator<XmlRecord> {
    while (out.length > 0) yield out.shift()!;
  };

  for await (const chunk of chunks) {
    // Keep only what is still needed: the open record, or the unread tail.
    const keep = recStart >= 0 ? recStart : pos;
    if (keep > 0) {
      buf = buf.slice(keep);
      pos -= keep;
      if (recStart >= 0) recStart -= keep;
      nlFrom = Math.max(0, nlFrom - keep);
      nlSearchedTo = Math.max(0, nlSearchedTo - keep);
      if (nlAt >= 0) nlAt -= keep;
    }
    buf += chunk;
    while (step(false)) if (out.length > 0) yield* drain();
    yield* drain();
  }
  while (pos < buf.length && step(true)) if (out.length > 0) yield* drain();
  yield* drain();
  if (!rootSeen) failWith('not-this-format', file, { line: 1 }, 'the file holds no XML element');
  if (stack.length > 0) {
    const open = stack[stack.length - 1]!;
    failWith('truncated', file, { line, column, element: open.name }, `the file ends inside <${open.name}> opened at line ${open.line}: it may have been cut short`);
  }
}
