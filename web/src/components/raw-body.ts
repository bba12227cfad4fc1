/**
 * A provider request or response body as a person can read it. The API gives the bodies as sent
 * and received: JSON on one line, or a form-encoded Gupshup request
 * (`method=SendMessage&send_to=91…&msg=Hi%20Asha…`) where the message text is percent-encoded.
 * JSON is indented; a form body shows one `name: value` per line, decoded. Anything else
 * (XML, plain text, a cut-off body) is shown exactly as it came.
 */
const FORM_BODY = /^[A-Za-z0-9_.~-]+=[^&=]*(&[A-Za-z0-9_.~-]+=[^&=]*)*$/;

export function readableBody(body: string): string {
  const text = body.trim();
  if (text.startsWith('{') || text.startsWith('[')) {
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      return body;
    }
  }
  if (FORM_BODY.test(text)) {
    try {
      return text
        .split('&')
        .map((pair) => {
          const at = pair.indexOf('=');
          const value = decodeURIComponent(pair.slice(at + 1).replace(/\+/g, ' '));
          // A multi-line message stays under its name.
          return `${decodeURIComponent(pair.slice(0, at))}: ${value.replace(/\n/g, '\n  ')}`;
        })
        .join('\n');
    } catch {
      return body; // a malformed %-escape: show it as received
    }
  }
  return body;
}
