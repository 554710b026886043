import { statusView } from './message-status';

describe('statusView', () => {
  it('draws one tick for queued and sent, two for delivered and read', () => {
    expect(statusView({ direction: 'outbound', status: 'queued' })).toMatchObject({ mark: '✓', label: 'Queued' });
    expect(statusView({ direction: 'outbound', status: 'sent' })).toMatchObject({ mark: '✓', label: 'Sent' });
    expect(statusView({ direction: 'outbound', status: 'delivered' })).toMatchObject({ mark: '✓✓', label: 'Delivered' });
    expect(statusView({ direction: 'outbound', status: 'read' })).toMatchObject({ mark: '✓✓', label: 'Read', tone: 'read' });
  });

  it('gives the reason of a failure with the provider’s code, and names a dry run', () => {
    expect(
      statusView({ direction: 'outbound', status: 'failed', error: { code: '131026', message: 'Message undeliverable' } }),
    ).toMatchObject({ label: 'Failed: Message undeliverable (131026)', mark: '!', tone: 'failed' });
    expect(statusView({ direction: 'outbound', status: 'failed', error: { code: 'ValidationException', message: '' } })).toMatchObject({
      label: 'Failed: ValidationException',
    });
    expect(statusView({ direction: 'outbound', status: 'failed' })).toMatchObject({ label: 'Failed' });
    expect(statusView({ direction: 'outbound', status: 'dry_run' })).toMatchObject({ mark: 'dry run' });
  });

  it('says a message is being sent, and when nobody knows whether the provider took it', () => {
    expect(statusView({ direction: 'outbound', status: 'sending' })).toEqual({ label: 'Sending', mark: '…', tone: 'pending' });
    expect(statusView({ direction: 'outbound', status: 'unknown' })).toEqual({
      label: 'Delivery unknown',
      mark: '?',
      tone: 'unknown',
      detail:
        'We could not confirm whether the provider accepted this message. It will update if a delivery status arrives; check before sending it again.',
    });
  });

  it('shows a status it does not know in words', () => {
    expect(statusView({ direction: 'outbound', status: 'accepted_by_carrier' })).toMatchObject({ label: 'accepted by carrier', tone: 'pending' });
  });

  it('shows nothing for what the contact sent', () => {
    expect(statusView({ direction: 'inbound', status: 'received' })).toBeNull();
  });
});
