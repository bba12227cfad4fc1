/** What the server said about one condition (its 422 names the part), shown on that condition. */
export function NodeProblems({ messages }: { messages: string[] | undefined }) {
  if (!messages || messages.length === 0) return null;
  return (
    <ul className="condition__problems" role="alert">
      {messages.map((message) => (
        <li key={message} className="field__error">
          {message}
        </li>
      ))}
    </ul>
  );
}
