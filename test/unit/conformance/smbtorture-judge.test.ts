/** The smbtorture gate's own logic: reading smbtorture's output and judging a run against the lists. */
import type { KnownFailure, SambaResult } from '../../conformance/smbtorture/expectations';
import { judgeSuite } from '../../conformance/smbtorture/expectations';
import { parseSmbtortureOutput } from '../../conformance/smbtorture/outcomes';

const OUTPUT = [
  'test: smb2.x.a',
  'success: smb2.x.a',
  'test: smb2.x.b',
  'failure: smb2.x.b [',
  '../../source4/torture/smb2/x.c:12: status was NT_STATUS_OK, expected NT_STATUS_ACCESS_DENIED',
  ']',
  'test: smb2.x.CREATE Existing',
  'skip: smb2.x.CREATE Existing [leases are not supported]',
  'test: smb2.x.d',
  'error: smb2.x.d [',
  'Exception: connection lost',
  ']',
].join('\n');

const anchor = new Map<string, SambaResult>([
  ['smb2.x.a', 'P'],
  ['smb2.x.b', 'P'],
  ['smb2.x.CREATE Existing', 'P'],
  ['smb2.x.d', 'F'],
  ['smb2.x.e', 'P'],
]);

describe('smbtorture output', () => {
  test('each result line becomes an outcome with the first line of its reason; names may hold spaces', () => {
    const r = parseSmbtortureOutput(OUTPUT);
    expect(r.get('smb2.x.a')).toEqual({ outcome: 'pass', reason: '' });
    expect(r.get('smb2.x.b')?.outcome).toBe('fail');
    expect(r.get('smb2.x.b')?.reason).toMatch(/expected NT_STATUS_ACCESS_DENIED/);
    expect(r.get('smb2.x.CREATE Existing')).toEqual({ outcome: 'skip', reason: 'leases are not supported' });
    expect(r.get('smb2.x.d')).toEqual({ outcome: 'fail', reason: 'Exception: connection lost' });
  });
});

describe('judging a suite', () => {
  const run = parseSmbtortureOutput(OUTPUT);

  test('unlisted non-passing subtests are regressions, including one that never ran', () => {
    const v = judgeSuite('x', run, anchor, new Map());
    expect(v.regressions.map((r) => r.split(':')[0])).toEqual([
      'smb2.x.CREATE Existing',
      'smb2.x.b',
      'smb2.x.d',
      'smb2.x.e',
    ]);
    expect(v.sambaPasses).toBe(4);
    expect(v.ourPasses).toBe(1);
    expect(v.behindSamba).toEqual(['smb2.x.CREATE Existing', 'smb2.x.b', 'smb2.x.e']);
  });

  test('listed failures are accepted only with the listed outcome; a listed pass is reported', () => {
    const known = new Map<string, KnownFailure>([
      ['smb2.x.a', { expect: 'fail', reason: 'was broken' }],
      ['smb2.x.b', { expect: 'fail', reason: 'r' }],
      ['smb2.x.CREATE Existing', { expect: 'fail', reason: 'listed as fail, but it skips' }],
      ['smb2.x.d', { expect: 'flaky', reason: 'r' }],
      ['smb2.x.e', { expect: 'fail', reason: 'hangs' }],
    ]);
    const v = judgeSuite('x', run, anchor, known);
    expect(v.regressions).toEqual(['smb2.x.CREATE Existing: skip (leases are not supported)']);
    expect(v.newlyPassing).toEqual(['smb2.x.a']);
  });

  test('a one-test suite printed as smb2.<suite> is judged as smb2.<suite>.<suite>', () => {
    const single = parseSmbtortureOutput('test: smb2.connect\nsuccess: smb2.connect\n');
    const v = judgeSuite('connect', single, new Map([['smb2.connect.connect', 'P']]), new Map());
    expect(v.ourPasses).toBe(1);
    expect(v.regressions).toEqual([]);
  });
});
