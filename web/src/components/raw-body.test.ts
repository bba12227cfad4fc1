import { describe, expect, it } from 'vitest';
import { readableBody } from './raw-body';

describe('readableBody', () => {
  it('shows a Gupshup form request one decoded field per line', () => {
    expect(readableBody('method=SendMessage&password=%5Bredacted%5D&send_to=919876543210&msg=Hi%20Asha%2C%0Ayour%20order%20%2B%20gift&extra=')).toBe(
      'method: SendMessage\npassword: [redacted]\nsend_to: 919876543210\nmsg: Hi Asha,\n  your order + gift\nextra: ',
    );
  });

  it('indents JSON given on one line', () => {
    expect(readableBody('{"response":{"id":"3591","status":"success"}}')).toBe('{\n  "response": {\n    "id": "3591",\n    "status": "success"\n  }\n}');
  });

  it('shows anything else exactly as received', () => {
    for (const body of ['<html>Bad Gateway</html>', '{"cut": "off', 'plain text & more', 'a=%E0%A4', '']) expect(readableBody(body)).toBe(body);
  });
});
