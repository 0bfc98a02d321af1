import { archivedEventJson } from '../../../bench/lib/event-envelope';

describe('archivedEventJson (the archived event the cost model prices)', () => {
  const entry = {
    source: 'hookguard',
    detailType: 'email.delivered',
    detail: JSON.stringify({ provider: 'mailgun', eventId: 'e-1', raw: { event: 'delivered' } }),
    time: new Date('2026-12-02T06:00:00.123Z'),
  };

  it("wraps the entry in EventBridge's envelope: its fields, in its order, with the detail as an object", () => {
    const event = JSON.parse(archivedEventJson(entry, 7)) as Record<string, unknown>;
    expect(Object.keys(event)).toEqual([
      'version',
      'id',
      'detail-type',
      'source',
      'account',
      'time',
      'region',
      'resources',
      'detail',
    ]);
    expect(event).toMatchObject({
      version: '0',
      'detail-type': 'email.delivered',
      source: 'hookguard',
      account: expect.stringMatching(/^\d{12}$/),
      time: '2026-12-02T06:00:00Z',
      region: 'us-east-1',
      resources: [],
      detail: { provider: 'mailgun', eventId: 'e-1', raw: { event: 'delivered' } },
    });
    expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('grows with the detail byte for byte (the envelope itself is a fixed overhead)', () => {
    const small = archivedEventJson(entry).length;
    const bigger = archivedEventJson({ ...entry, detail: JSON.stringify({ pad: 'x'.repeat(1000) }) }).length;
    const detailGrowth = JSON.stringify({ pad: 'x'.repeat(1000) }).length - entry.detail.length;
    expect(bigger - small).toBe(detailGrowth);
  });
});
