/** What a provider answered to a test send: the verdict and the raw request/response, always rendered as text. */
import { useId } from 'react';
import type { TestMessageResult } from '../api/types';
import { Alert } from './alert';
import { CopyButton } from './copy-button';
import { readableBody } from './raw-body';

function show(body: unknown): string {
  if (body === undefined) return '(none)';
  return typeof body === 'string' ? readableBody(body) : JSON.stringify(body, null, 2);
}

/** The provider's verdict and the raw request/response, always rendered as text. */
export function ProviderAnswer({ result }: { result: TestMessageResult }) {
  const titleId = useId();
  const request = `${result.raw.request.method} ${result.raw.request.url}\n\n${show(result.raw.request.body)}`;
  const response = result.raw.response ? `HTTP ${result.raw.response.status}\n\n${show(result.raw.response.body)}` : 'No response (the request did not complete).';
  return (
    <section className="test-outcome" aria-labelledby={titleId}>
      <h3 id={titleId} className="panel__title">
        Provider's answer
      </h3>
      <Alert kind={result.ok ? 'success' : 'error'}>
        {result.ok ? 'Accepted by the provider.' : 'Not accepted by the provider.'}
        {result.providerMessageId ? ` Message ID: ${result.providerMessageId}.` : ''}
        {result.category ? ` Category: ${result.category}.` : ''}
        {result.detail ? ` ${result.detail}` : ''}
      </Alert>
      <div className="raw">
        <div className="raw__header">
          <h4>Request</h4>
          <CopyButton text={request} name="Copy request" />
        </div>
        <pre className="code-block">{request}</pre>
      </div>
      <div className="raw">
        <div className="raw__header">
          <h4>Response</h4>
          <CopyButton text={response} name="Copy response" />
        </div>
        <pre className="code-block">{response}</pre>
      </div>
    </section>
  );
}
