import { statusView } from './message-status';

describe('statusView', () => {
  it('draws one tick for queued and sent, two for delivered and read', () => {
    expect(statusView({ direction: 'outbound', status: 'queued' })).toMatchObject({ mark: '✓', label: 'Queued' });
    expect(statusView({ direction: 'outbound', status: 'sent' })).toMatchObject({ mark: '✓', label: 'Sent' });
    expect(statusView({ direction: 'outbound', status: 'delivered' })).toMatchObject({ mark: '✓✓', label: 'Delivered' });
    expect(statusView({ direction: 'outbound', status: 'read' })).toMatchObject({ mark: '✓✓', label: 'Read', tone: 'read' });
  });

  it('gives the reason of a failure and names a dry run', () => {
    expect(
      statusView({ direction: 'outbound', status: 'failed', error: { code: '131026', message: 'Message undeliverable' } }),
    ).toMatchObject({ label: 'Failed: Message undeliverable', tone: 'failed' });
    expect(statusView({ direction: 'outbound', status: 'dry_run' })).toMatchObject({ mark: 'dry run' });
  });

  it('shows nothing for what the contact sent', () => {
    expect(statusView({ direction: 'inbound', status: 'received' })).toBeNull();
  });
});
