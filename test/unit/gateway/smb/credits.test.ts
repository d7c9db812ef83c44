import { CreditWindow, expectedCreditCharge } from '../../../../gateway/smb/credits';

describe('credit window (MS-SMB2 §3.3.1.1, §3.3.5.2.3)', () => {
  test('a fresh connection may use MessageId 0 only, once', () => {
    const w = new CreditWindow(100);
    expect(w.available).toBe(1);
    expect(w.consume(1n, 1)).toBe(false);
    expect(w.consume(0n, 1)).toBe(true);
    expect(w.consume(0n, 1)).toBe(false);
    expect(w.available).toBe(0);
  });

  test('granted ids may be used out of order, each once', () => {
    const w = new CreditWindow(100);
    w.consume(0n, 1);
    expect(w.grant(5)).toBe(5);
    expect(w.consume(4n, 1)).toBe(true);
    expect(w.consume(2n, 2)).toBe(true);
    expect(w.consume(3n, 1)).toBe(false);
    expect(w.consume(1n, 1)).toBe(true);
    expect(w.consume(5n, 1)).toBe(true);
    expect(w.consume(6n, 1)).toBe(false);
    expect(w.available).toBe(0);
  });

  test('a multi-credit request needs all its ids inside the window', () => {
    const w = new CreditWindow(100);
    w.consume(0n, 1);
    w.grant(10);
    expect(w.consume(5n, 6)).toBe(true);
    expect(w.consume(1n, 5)).toBe(false);
    expect(w.consume(1n, 4)).toBe(true);
  });

  test('grants never take the client past maxCredits, and never leave it with none', () => {
    const w = new CreditWindow(8);
    w.consume(0n, 1);
    expect(w.grant(1000)).toBe(8);
    expect(w.grant(5)).toBe(0);
    for (let i = 1n; i <= 8n; i++) w.consume(i, 1);
    expect(w.grant(0)).toBe(1);
  });

  test('CreditCharge expected for a payload: one per started 64 KiB (§3.3.5.2.5)', () => {
    expect([0, 1, 65536, 65537, 1 << 20, 8 << 20].map(expectedCreditCharge)).toEqual([1, 1, 1, 2, 16, 128]);
  });
});
