import { detailNotes, htmlToText, mediaKind } from './message-text';

describe('what a message carries', () => {
  it('names media by its type, else its MIME type', () => {
    expect(mediaKind({ details: { type: 'document' } }, { mimeType: 'application/pdf' })).toBe('Document');
    expect(mediaKind({ details: {} }, { mimeType: 'image/png' })).toBe('Photo');
  });

  it('words locations, button replies and automatic messages', () => {
    expect(detailNotes({ details: { location: { latitude: 22.5726, longitude: 88.3639 } } })).toEqual([
      'Location: 22.57260, 88.36390',
    ]);
    expect(detailNotes({ details: { interactive: { type: 'button_reply', button_reply: { id: 'yes', title: 'Yes' } } } })).toEqual([
      'Replied with the button “Yes”',
    ]);
    expect(detailNotes({ text: 'Yes', details: { interactive: { button_reply: { title: 'Yes' } } } })).toEqual(['Replied with a button']);
    expect(detailNotes({ details: { kind: 'opt_out_confirmation' } })).toEqual(['Sent automatically after the contact opted out']);
    expect(detailNotes({})).toEqual([]);
  });

  it('reads the text of an HTML body without running it', () => {
    expect(htmlToText('<p>Your <b>order</b> is ready.</p><p>Thanks</p>')).toBe('Your order is ready. Thanks');
    expect(htmlToText('<h1>Hello</h1><p>there <img src=x onerror="alert(1)"></p><script>alert(2)</script>')).toBe('Hello there');
  });
});
