/**
 * The CLI against hostile arguments and hostile exports: a --store folder that is not a store, dates
 * that are not on the calendar, sizes without bound, and names that would drive the terminal.
 * Runs the command in this process (its output captured) on memory: and throwaway PGlite folders.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { checkStoreFolder, escapeTerminal, guessFormat, runCli, terminalJson } from '@contactable/cli';

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `contactable ...args` here, capturing what it writes. */
const cli = async (...args: string[]): Promise<Ran> => {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await runCli(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
};

const dirs: string[] = [];
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'contactable-args-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// Raw terminal controls: ESC, the C1 CSI, BEL. None may reach a terminal from a value.
const RAW_CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

describe('--store', () => {
  it('refuses a non-empty folder that is not a store, says what it found and what to do, and writes nothing there', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    mkdirSync(join(dir, 'exports'));
    for (const args of [['members'], ['import', join(dir, 'notes.txt'), '--format', 'ctf']]) {
      const r = await cli(...args, '--store', dir);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('is a folder that is not a contactable store');
      expect(r.stderr).toContain('2 other entries (exports/, notes.txt)');
      expect(r.stderr).toContain('Nothing was written');
      expect(r.stderr).toContain('a new or empty folder');
    }
    expect(readdirSync(dir).sort()).toEqual(['exports', 'notes.txt']);
  });

  it('refuses a file; takes a new folder, an empty one, and a store made before', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'file'), 'x');
    expect(() => checkStoreFolder(join(dir, 'file'))).toThrow(/is a file, not a folder/);
    expect(() => checkStoreFolder(join(dir, 'new'))).not.toThrow();
    mkdirSync(join(dir, 'empty'));
    expect(() => checkStoreFolder(join(dir, 'empty'))).not.toThrow();
    mkdirSync(join(dir, 'opening'));
    writeFileSync(join(dir, 'opening', 'lock'), '1');
    writeFileSync(join(dir, 'opening', 'waiting-4242'), '');
    expect(() => checkStoreFolder(join(dir, 'opening'))).not.toThrow();
    mkdirSync(join(dir, 'store', 'pgdata'), { recursive: true });
    writeFileSync(join(dir, 'store', 'pgdata', 'PG_VERSION'), '17');
    writeFileSync(join(dir, 'store', 'lock'), '1');
    expect(() => checkStoreFolder(join(dir, 'store'))).not.toThrow();
    expect(() => checkStoreFolder('memory:')).not.toThrow();
    expect(() => checkStoreFolder('postgres://u:p@localhost/db')).not.toThrow();
  });
});

describe('formats', () => {
  it('a UTF-16 CTF (with or without a BOM) is told apart as a CTF, as the parser reads it', () => {
    const dir = tempDir();
    const xml = '<?xml version="1.0" encoding="UTF-16"?>\n<CTfile><Header/></CTfile>\n';
    writeFileSync(join(dir, 'le.xml'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]));
    writeFileSync(join(dir, 'be.xml'), Buffer.from(xml, 'utf16le').swap16());
    writeFileSync(join(dir, 'ab.csv'), Buffer.from('Reference,Forename,Surname\r\nG1,A,B\r\n', 'utf16le'));
    expect([guessFormat(join(dir, 'le.xml')), guessFormat(join(dir, 'be.xml')), guessFormat(join(dir, 'ab.csv'))]).toEqual(['ctf', 'ctf', 'address-book']);
  });
});

describe('dates and sizes', () => {
  it('every date argument must be on the calendar: 2026-02-30 is refused, 2024-02-29 is taken', async () => {
    for (const args of [
      ['dashboard', '--today', '2026-02-30'],
      ['leavers', '--today', '2026-02-29'],
      ['retention', '--today', '2026-13-01'],
      ['data-issues', '--from', '2026-04-31'],
      ['data-issues', '--to', '2026-02-30'],
      ['replay', '--as-of', '2026-02-30'],
      ['replay', '--as-of', '2026-02-30T10:00:00Z'],
      ['audit', 'someone', '--as-of', '2026-06-31T09:00:00Z'],
      ['generate', '--pupils', '5', '--format', 'ctf', '--out', join(tempDir(), 'x.xml'), '--today', '2026-02-30'],
    ]) {
      const r = await cli(...args, '--store', 'memory:');
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/on the calendar/);
    }
    expect((await cli('dashboard', '--today', '2024-02-29', '--store', 'memory:', '--json')).code).toBe(0);
    expect((await cli('replay', '--as-of', '2024-02-29T10:00:00Z', '--store', 'memory:', '--json')).code).toBe(0);
  });

  it('sizes have bounds: generate --pupils 3000000 is refused at once, as are 0, 12abc and a day far off', async () => {
    const out = join(tempDir(), 'school.xml');
    for (const [pupils, day] of [['3000000', '0'], ['0', '0'], ['12abc', '0'], ['10', '100000']] as const) {
      const r = await cli('generate', '--pupils', pupils, '--day', day, '--format', 'ctf', '--out', out);
      expect(r.code, `${pupils} ${day}`).toBe(2);
      expect(r.stderr).toMatch(/must be a whole number from/);
    }
    expect((await cli('generate', '--pupils', '-4', '--format', 'ctf', '--out', out)).code).toBe(2);
    expect(readdirSync(join(out, '..'))).toEqual([]);
    const demo = await cli('demo', '--pupils', '1000000', '--store', 'memory:');
    expect(demo.code).toBe(2);
    expect(demo.stderr).toContain('from 50 to 10,000');
  });
});

describe('terminal output', () => {
  it('escapes control characters, C1 controls and bidirectional overrides; keeps newlines in lines but not in table cells', () => {
    expect(escapeTerminal('Ann\u001b[2J\u001b]8;;https://evil.example/\u0007')).toBe('Ann\\x1b[2J\\x1b]8;;https://evil.example/\\x07');
    expect(escapeTerminal('a\u009b31mb\u202ec\rd')).toBe('a\\x9b31mb\\u202ec\\rd');
    expect(escapeTerminal('two\nlines\tand a tab')).toBe('two\nlines\tand a tab');
    expect(escapeTerminal('two\nlines', true)).toBe('two\\nlines');
  });

  it('JSON output is the same value, with nothing raw a terminal would act on', () => {
    const value = { name: 'Ann\u009b2J\u202e\u2028x\u001b' };
    const text = terminalJson(value);
    expect(JSON.parse(text)).toEqual(value);
    expect(text).not.toMatch(RAW_CONTROLS);
    expect(text).not.toMatch(/[\u202e\u2028]/);
  });

  it('R-DSH-3 a CTF with escape sequences imports without them, says where in data-issues, and prints nothing raw; a clean export resolves the issue', async () => {
    const dir = tempDir();
    const store = join(dir, 'store');
    const ctf = (surname: string, forename: string) =>
      '<?xml version="1.0"?>\n<CTfile xmlns:cx="urn:contactable:ctf-extension:1">\n<Header><SupplierID>SIMS</SupplierID></Header>\n<CTFpupilData>\n' +
      `<Pupil><UPN>A123456789012</UPN><Surname>${surname}</Surname><Forename>${forename}</Forename><Contacts><Contact><Order>1</Order><Surname>Evans</Surname><Forename>Ruby</Forename><Responsibility>true</Responsibility><Email>ruby@example.org</Email></Contact></Contacts><cx:PersonId>P1</cx:PersonId></Pupil>\n` +
      '</CTFpupilData>\n</CTfile>\n';
    writeFileSync(join(dir, 'hostile.xml'), ctf('Evans&#x1b;[2J&#x202E;', 'Ava\u001b]8;;https://evil.example/\u001b\\'));
    writeFileSync(join(dir, 'clean.xml'), ctf('Evans', 'Ava'));
    const imported = await cli('import', join(dir, 'hostile.xml'), '--today', '2026-09-07', '--store', store);
    expect(imported.code).toBe(0);
    const issues = await cli('data-issues', '--type', 'import-warning', '--store', store);
    expect(issues.stdout).toContain('Import');
    expect(issues.stdout).not.toContain('evil');
    const listed = JSON.parse((await cli('data-issues', '--type', 'import-warning', '--store', store, '--json')).stdout) as Array<{ type: string; detail: string }>;
    expect(listed).toEqual([expect.objectContaining({ type: 'import-warning', detail: expect.stringContaining('hostile.xml, line 5, <Pupil>, field Surname') })]);
    const members = await cli('members', '--store', store);
    for (const r of [imported, issues, members]) {
      expect(r.stdout).not.toMatch(RAW_CONTROLS);
      expect(r.stderr).not.toMatch(RAW_CONTROLS);
    }
    // What an import keeps (a right-to-left override is text, not a control character) is shown escaped.
    expect(members.stdout).toContain('Ava]8;;https://evil.example/\\ Evans[2J\\u202e');
    expect((await cli('import', join(dir, 'clean.xml'), '--today', '2026-09-08', '--store', store)).code).toBe(0);
    expect((await cli('data-issues', '--type', 'import-warning', '--store', store, '--json')).stdout.trim()).toBe('[]');
  });
});
