/** Reads a server-sent event stream (a fetch Response) until given text arrives. */
export function eventStreamReader(response: Response): { readUntil(text: string): Promise<void>; received(): string } {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let received = '';
  return {
    async readUntil(text: string) {
      while (!received.includes(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended before "${text}": ${received}`);
        received += decoder.decode(value);
      }
    },
    received: () => received,
  };
}
