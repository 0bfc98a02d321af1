import { countEventLog } from '../../../bench/lib/event-log';

const line = (provider: string, eventId: string) =>
  JSON.stringify({
    version: '0',
    source: 'hookguard',
    'detail-type': 'email.delivered',
    detail: { provider, eventId },
  });

describe('countEventLog', () => {
  it('finds nothing lost or duplicated when every acknowledged event is logged once', () => {
    const count = countEventLog([line('mailgun', 'a'), line('mailgun', 'b'), ''], 'mailgun', new Set(['a', 'b']));
    expect(count).toEqual({ found: 2, unique: 2, lost: 0, duplicates: 0, unacknowledged: 0 });
  });

  it('counts acknowledged events missing from the log as lost', () => {
    expect(countEventLog([line('mailgun', 'a')], 'mailgun', new Set(['a', 'b', 'c'])).lost).toBe(2);
  });

  it('counts every extra line of the same event id as published twice', () => {
    const count = countEventLog(
      [line('mailgun', 'a'), line('mailgun', 'a'), line('mailgun', 'a')],
      'mailgun',
      new Set(['a']),
    );
    expect(count.duplicates).toBe(2);
  });

  it('ignores other providers and reports logged events nobody saw acknowledged', () => {
    const count = countEventLog([line('sendgrid', 'a'), line('mailgun', 'z')], 'mailgun', new Set(['a']));
    expect(count).toEqual({ found: 1, unique: 1, lost: 1, duplicates: 0, unacknowledged: 1 });
  });
});
